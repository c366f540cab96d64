import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@ticketing/testing';
import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { WebhookReceiver } from './support/webhook-receiver';
import { NO_REDIRECTS } from './support/no-redirects';

const SECRET = 'whsec_test_secret';
const fixture = useStripeFake({ webhookSecret: SECRET, webhookRetryDelayMs: 20, webhookMaxAttempts: 3 });
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  fixture.fake.webhooks.configure({ url: receiver.url });
});
beforeEach(() => receiver.clear());
afterAll(() => receiver.stop());

function payWithVisa(): Promise<Stripe.PaymentIntent> {
  return fixture.stripe.paymentIntents.create({
    amount: 1000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
  });
}

function openIntent(): Promise<Stripe.PaymentIntent> {
  return fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
}

function control(method: 'GET' | 'POST', path: string, body: object = {}): Promise<Response> {
  return fetch(`${fixture.fake.url}/_fake${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });
}

async function receivedCount(count: number) {
  return waitFor(() => receiver.received.length >= count && receiver.received, {
    description: `${count} webhooks`,
  });
}

/** The fake logs an attempt once the endpoint has answered, a moment after the endpoint has seen it. */
async function attemptCount(count: number) {
  return waitFor(
    () => {
      const deliveries = fixture.fake.webhooks.deliveries();
      return deliveries.length >= count && deliveries;
    },
    { description: `${count} delivery attempts` },
  );
}

describe('webhook delivery', () => {
  it('posts every event, in order, signed so that constructEvent verifies it', async () => {
    const intent = await payWithVisa();

    const received = await receivedCount(3);

    const events = received.map((webhook) => receiver.verify(webhook, SECRET));
    expect(events.map((event) => event.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    expect(events[2]).toMatchObject({
      object: 'event',
      pending_webhooks: 1,
      data: { object: { id: intent.id } },
    });
    expect(() => receiver.verify(received[0]!, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const delivered = await waitFor(
      async () => {
        const event = await fixture.stripe.events.retrieve(events[2]!.id);
        return event.pending_webhooks === 0 && event;
      },
      { description: 'pending_webhooks to drop' },
    );
    expect(delivered.type).toBe('payment_intent.succeeded');
  });

  it('answers the API request without waiting for the endpoint', async () => {
    const release = receiver.holdResponses();
    try {
      const intent = await payWithVisa();

      expect(intent.status).toBe('succeeded');
      await receivedCount(1);
      expect(fixture.fake.webhooks.deliveries()).toEqual([]);
    } finally {
      release();
    }
    await attemptCount(3);
  });

  it('retries with backoff while the endpoint fails', async () => {
    receiver.respondWith(500, 503);

    await openIntent();
    const attempts = await attemptCount(3);

    expect(new Set(receiver.received.map(({ event }) => event.id)).size).toBe(1);
    expect(attempts.map(({ attempt, status }) => [attempt, status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    const [first, second, third] = attempts.map((attempt) => attempt.attempted_at_ms);
    // Node's timers may fire up to a millisecond early by the wall clock.
    expect(second! - first!).toBeGreaterThanOrEqual(20 - 1);
    expect(third! - second!).toBeGreaterThanOrEqual(40 - 1);
  });

  it('retries an unreachable endpoint, up to the attempt limit', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const unreachable = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/webhooks`;
    closed.close();
    fixture.fake.webhooks.configure({ url: unreachable, maxAttempts: 2 });
    try {
      await openIntent();

      const attempts = await attemptCount(2);

      expect(attempts).toEqual([
        expect.objectContaining({ attempt: 1, status: null, error: expect.stringContaining('ECONNREFUSED') }),
        expect.objectContaining({ attempt: 2, status: null }),
      ]);
    } finally {
      fixture.fake.webhooks.configure({ url: receiver.url, maxAttempts: 3 });
    }
  });

  it('sends every event twice when duplicates are switched on', async () => {
    fixture.fake.webhooks.configure({ duplicate: true });

    const intent = await openIntent();
    const received = await receivedCount(2);

    expect(received.map((webhook) => receiver.verify(webhook, SECRET).id)).toEqual([
      received[0]?.event.id,
      received[0]?.event.id,
    ]);
    expect(received[0]?.event.data.object).toMatchObject({ id: intent.id });
  });

  it('sends the events of one request in reverse when out-of-order delivery is on', async () => {
    fixture.fake.webhooks.configure({ outOfOrder: true });

    await payWithVisa();
    await receivedCount(3);

    expect(receiver.types()).toEqual([
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
    ]);
  });

  it('holds events while paused and sends them, reversed, on flush', async () => {
    await control('POST', '/webhooks', { out_of_order: true });
    await control('POST', '/webhooks/pause');
    const first = await openIntent();
    const second = await openIntent();

    const flushed = await control('POST', '/webhooks/flush');
    const received = await receivedCount(2);

    expect(await flushed.json()).toEqual({ paused: false, released: 2 });
    expect(received.map(({ event }) => (event.data.object as Stripe.PaymentIntent).id)).toEqual([
      second.id,
      first.id,
    ]);
  });

  it('is configured and inspected over HTTP', async () => {
    const disabled = await fetch(`${fixture.fake.url}/_fake/webhooks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'url=&duplicate=true&retry_delay_ms=20',
    });
    expect(await disabled.json()).toEqual({
      url: null,
      secret: SECRET,
      duplicate: true,
      out_of_order: false,
      max_attempts: 3,
      retry_delay_ms: 20,
    });
    await openIntent();
    expect((await fixture.stripe.events.list()).data[0]?.pending_webhooks).toBe(0);

    await control('POST', '/webhooks', { url: receiver.url, duplicate: false });
    await openIntent();
    await attemptCount(1);
    const deliveries = await (await control('GET', '/webhooks/deliveries')).json();

    expect(deliveries).toEqual({
      data: [expect.objectContaining({ event_type: 'payment_intent.created', attempt: 1, status: 200 })],
    });
    expect(await (await control('GET', '/webhooks')).json()).toMatchObject({ url: receiver.url });
  });

  it('refuses settings out of range', async () => {
    const response = await control('POST', '/webhooks', { max_attempts: 0 });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'max_attempts' } });
  });

  it('turns the switches off on reset, keeping the endpoint', () => {
    fixture.fake.webhooks.configure({ duplicate: true, outOfOrder: true });

    fixture.fake.reset();

    expect(fixture.fake.webhooks.settings()).toMatchObject({
      url: receiver.url,
      secret: SECRET,
      duplicate: false,
      outOfOrder: false,
    });
  });
});
