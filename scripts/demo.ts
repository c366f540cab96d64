/**
 * `npm run demo`, against a system started with `npm start`: a ticket sold and paid, a decline and a retry,
 * 3-D Secure, and an order that expires. Every step goes through the entry point, as a client would, and
 * the order is polled until the payment shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '@ticketing/service';
import { DEVELOPMENT_JWT_KEY } from './development-defaults';

interface RunningSystem {
  url: string;
  stripeFakeUrl: string | null;
  expirationWindowSeconds: number;
}

/** `npm start` writes where it runs to system.json in its data directory (TICKETING_DATA_DIR, or .data). */
function runningSystem(): RunningSystem {
  const dataDir = process.env.TICKETING_DATA_DIR ?? join(__dirname, '..', '.data');
  try {
    return JSON.parse(readFileSync(join(dataDir, 'system.json'), 'utf8')) as RunningSystem;
  } catch {
    console.error(
      `No running system found in ${dataDir}: start one with \`npm start\` (same TICKETING_DATA_DIR).`,
    );
    process.exit(1);
  }
}

const system = runningSystem();
const jwtKey = process.env.JWT_KEY ?? DEVELOPMENT_JWT_KEY;

function step(title: string) {
  console.log(`\n== ${title}`);
}

async function call(user: string, method: string, path: string, body?: object, quiet = false) {
  const response = await fetch(`${system.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await signToken(jwtKey, { sub: user })}`,
      'content-type': 'application/json',
    },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!quiet)
    console.log(
      `   ${method} ${path} -> ${response.status}`,
      json?.errors ? JSON.stringify(json.errors) : '',
    );
  return { status: response.status, body: json };
}

async function poll(
  user: string,
  orderId: string,
  until: (order: { status: string }) => boolean,
  seconds: number,
) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { body } = await call(user, 'GET', `/api/orders/${orderId}`, undefined, true);
    if (until(body)) return body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is still ${body.status} after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Right after ordering: the payments service waits for an order whose event has not reached it yet. */
function pay(user: string, orderId: string, payment: object) {
  return call(user, 'POST', '/api/payments', { orderId, ...payment });
}

async function newOrder(buyer: string, title: string) {
  const ticket = await call('demo-seller', 'POST', '/api/tickets', { title, price: 4200, currency: 'usd' });
  const order = await call(buyer, 'POST', '/api/orders', { ticketId: ticket.body.id });
  console.log(`   order ${order.body.id}: ${order.body.status}, pay before ${order.body.expiresAt}`);
  return order.body.id as string;
}

async function main() {
  console.log(`ticketing at ${system.url}`);

  step('1. A ticket sold and paid with a good card');
  const paid = await newOrder('ada', 'Jazz night');
  await pay('ada', paid, { paymentMethod: 'pm_card_visa' });
  console.log(
    '   final:',
    JSON.stringify(await poll('ada', paid, (order) => order.status === 'complete', 10)),
  );

  step('2. A decline, then a retry with another card');
  const retried = await newOrder('ben', 'Opera');
  const declined = await pay('ben', retried, { paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' });
  console.log(`   declined: ${declined.body.errors?.[0]?.message} (${declined.body.errors?.[0]?.code})`);
  await pay('ben', retried, { token: 'tok_visa' });
  console.log('   final:', (await poll('ben', retried, (order) => order.status === 'complete', 10)).status);

  step('3. 3-D Secure: the payment completes when Stripe reports the authentication');
  const secured = await newOrder('cleo', 'Ballet');
  const challenge = await pay('cleo', secured, { paymentMethod: 'pm_card_authenticationRequired' });
  console.log(`   ${challenge.status}: authenticate with clientSecret ${challenge.body.clientSecret}`);
  if (system.stripeFakeUrl) {
    await fetch(
      `${system.stripeFakeUrl}/_fake/payment_intents/${challenge.body.attempt.stripePaymentIntentId}/authenticate`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'succeed' }),
      },
    );
    console.log('   the buyer authenticated (in the Stripe fake); waiting for the webhook...');
    console.log(
      '   final:',
      (await poll('cleo', secured, (order) => order.status === 'complete', 15)).status,
    );
  } else {
    console.log('   (running against real Stripe: authenticate with Stripe.js to finish)');
  }

  step('4. An order that is never paid expires');
  const window = system.expirationWindowSeconds;
  if (window <= 120) {
    const abandoned = await newOrder('dan', 'Circus');
    console.log(`   waiting up to ${window} s for the window to close...`);
    const expired = await poll('dan', abandoned, (order) => order.status === 'cancelled', window + 15);
    console.log(`   final: ${expired.status} (${expired.cancellationReason})`);
  } else {
    console.log(
      `   the payment window is ${window} s; start with EXPIRATION_WINDOW_SECONDS=20 npm start to watch one expire`,
    );
  }
  console.log('\ndone');
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
