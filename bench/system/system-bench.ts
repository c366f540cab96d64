/**
 * The whole system through its entry point: completed order-to-payment flows per second (reserve, pay,
 * poll until complete) with concurrent buyers, and the time from a successful POST /api/payments to
 * GET /api/orders/:id showing `complete` (payments.created crossing the bus to the orders service).
 */
import pg from 'pg';
import { NatsServer, PostgresServer } from '@ticketing/testing';
import { startLocalSystem } from '../../scripts/system/local-system';
import { percentile, printFigures, rate } from '../bench-report';

const BUYERS = 16;
const SECONDS = 15;
const TICKETS = 20_000;

async function createDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main() {
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  const ordersUrl = await createDatabase(postgres.url(), 'orders');
  const system = await startLocalSystem({
    port: 0,
    env: {
      ORDERS_DATABASE_URL: ordersUrl,
      PAYMENTS_DATABASE_URL: await createDatabase(postgres.url(), 'payments'),
      EXPIRATION_DATABASE_URL: await createDatabase(postgres.url(), 'expiration'),
      NATS_URL: nats.url,
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const client = new pg.Client({ connectionString: ordersUrl });
    await client.connect();
    const tickets = (
      await client.query<{ id: string }>(
        `insert into tickets (id, title, price, currency, user_id)
         select gen_random_uuid(), 'Bench ' || n, 2500, 'usd', 'seller' from generate_series(1, ${TICKETS}) n returning id`,
      )
    ).rows.map((row) => row.id);
    await client.end();

    const headers = {
      authorization: `Bearer ${await system.developmentToken('bench-buyer')}`,
      'content-type': 'application/json',
    };
    const post = (path: string, body: object) =>
      fetch(`${system.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    let next = 0;
    let completed = 0;
    const paymentToComplete: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: BUYERS }, async () => {
        while (performance.now() < deadline) {
          const order = (await (await post('/api/orders', { ticketId: tickets[next++] })).json()) as {
            id: string;
          };
          let payment: Response;
          do payment = await post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' });
          while (payment.status === 404);
          if (payment.status !== 201) throw new Error(`payment answered ${payment.status}`);
          const paidAt = performance.now();
          for (;;) {
            const shown = (await (
              await fetch(`${system.url}/api/orders/${order.id}`, { headers })
            ).json()) as { status: string };
            if (shown.status === 'complete') break;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          paymentToComplete.push(performance.now() - paidAt);
          completed += 1;
        }
      }),
    );
    paymentToComplete.sort((a, b) => a - b);
    printFigures(
      `Order -> pay -> complete through the entry point, ${BUYERS} concurrent buyers, ${SECONDS} s`,
      [
        ['completed flows', completed],
        ['flows per second', rate(completed, performance.now() - started)],
        ['POST /api/payments 201 -> order complete, p50 (ms)', percentile(paymentToComplete, 0.5)],
        ['POST /api/payments 201 -> order complete, p99 (ms)', percentile(paymentToComplete, 0.99)],
      ],
    );
  } finally {
    await system.stop();
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
