import { randomUUID } from 'node:crypto';
import { createLogger } from '@ticketing/bus';
import { signToken, startService, type RunningService } from '@ticketing/service';
import { changeWhileHubsAreAway, EventStreamReader, sessionCookie, TEST_JWT_KEY } from '@ticketing/testing';
import type { StripeFake } from '@ticketing/stripe-fake';
import type { PaymentsConfig } from '../src/config';
import type { PaymentsDatabase } from '../src/database/schema';
import type { OrderPaymentsResponse } from '../src/models/order-payments-response';
import { paymentsService } from '../src/service';
import {
  api,
  pay,
  replicateOrder,
  startPayments,
  WEBHOOK_SECRET,
  type PaymentsUnderTest,
} from './payments-api';

const HEARTBEAT_MS = '250';

describe("an order's payments, as a snapshot and live", () => {
  let payments: PaymentsUnderTest;
  let stripe: StripeFake;
  let stop: () => Promise<void>;
  /** A second replica on the same database, as behind a load balancer without sticky sessions. */
  let replica: RunningService<PaymentsDatabase, PaymentsConfig>;
  const streams: EventStreamReader[] = [];

  beforeAll(async () => {
    ({ payments, stripe, stop } = await startPayments({ LIVE_HEARTBEAT_MS: HEARTBEAT_MS }));
    replica = await startService(
      paymentsService,
      {
        DATABASE_URL: payments.infra.databaseUrl,
        NATS_URL: payments.infra.natsUrl,
        NATS_NAMESPACE: payments.infra.namespace,
        JWT_KEY: TEST_JWT_KEY,
        PORT: '0',
        STRIPE_SECRET_KEY: 'sk_test_payments',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: stripe.url,
        PAYMENT_RECONCILE_INTERVAL_SECONDS: '3600',
        LIVE_HEARTBEAT_MS: HEARTBEAT_MS,
      },
      createLogger('payments-replica', 'silent'),
    );
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await replica.stop();
    await stop();
  });

  async function open(url: string, orderId: string, headers: Record<string, string>) {
    const stream = await EventStreamReader.open(`${url}/api/payments/orders/${orderId}/events`, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  }

  /** The next states until one satisfies `done`. */
  async function stateWhere(stream: EventStreamReader, done: (state: OrderPaymentsResponse) => boolean) {
    for (;;) {
      const { event } = await stream.nextEvent('state');
      const state = JSON.parse(event.data) as OrderPaymentsResponse;
      if (done(state)) return { state, id: event.id };
    }
  }

  async function snapshot(orderId: string, bearer: string) {
    const response = await api(payments)
      .get(`/api/payments/orders/${orderId}`)
      .set('Authorization', bearer)
      .expect(200);
    return response.body as OrderPaymentsResponse;
  }

  describe('GET /api/payments/orders/:orderId', () => {
    it('answers the attempts newest first, the payment and its refunds', async () => {
      const order = await replicateOrder(payments, 'alice', 3000);
      const bearer = await payments.bearer('alice');
      expect(await snapshot(order.id, bearer)).toEqual({ attempts: [], payment: null, refunds: [] });

      const declined = await pay(
        payments,
        'alice',
        { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
        { status: 402 },
      );
      const paid = await pay(
        payments,
        'alice',
        { orderId: order.id, paymentMethod: 'pm_card_visa' },
        { status: 201 },
      );
      const refunded = await api(payments)
        .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
        .set('Authorization', await payments.bearer('ops', { admin: true }))
        .set('Idempotency-Key', randomUUID())
        .send({ amount: 500 })
        .expect(201);

      const state = await snapshot(order.id, bearer);
      expect(state.attempts.map((attempt) => [attempt.status, attempt.id])).toEqual([
        ['succeeded', expect.any(String)],
        ['failed', declined.body.attempt.id],
      ]);
      expect(state.payment).toMatchObject({ id: paid.body.id, amountRefunded: 500 });
      expect(state.refunds).toEqual([refunded.body.refund]);
    });

    it('answers 401, 400, 404 and 403 as GET /api/payments?orderId= does', async () => {
      const order = await replicateOrder(payments, 'owner');
      const bearer = await payments.bearer('someone');
      for (const path of [`/api/payments/orders/${order.id}`, `/api/payments/orders/${order.id}/events`]) {
        await api(payments).get(path).expect(401);
        await api(payments).get(path).set('Authorization', bearer).expect(403);
      }
      for (const path of ['/api/payments/orders/abc', '/api/payments/orders/abc/events']) {
        const invalid = await api(payments).get(path).set('Authorization', bearer).expect(400);
        expect(invalid.body.errors).toEqual([{ message: 'orderId must be a UUID', field: 'orderId' }]);
      }
      for (const path of [
        `/api/payments/orders/${randomUUID()}`,
        `/api/payments/orders/${randomUUID()}/events`,
      ]) {
        await api(payments).get(path).set('Authorization', bearer).expect(404);
      }
    });
  });

  describe('GET /api/payments/orders/:orderId/events', () => {
    it('sends the snapshot, then every change, with headers that keep proxies from buffering', async () => {
      const order = await replicateOrder(payments, 'bob');
      const bearer = await payments.bearer('bob');
      const stream = await open(payments.url, order.id, { Authorization: bearer });
      expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
      expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
      expect(await stream.next()).toEqual({ retry: 2000, comments: [] });
      const initial = await stream.nextEvent('state');
      expect(JSON.parse(initial.event.data)).toEqual(await snapshot(order.id, bearer));

      await pay(payments, 'bob', { orderId: order.id, paymentMethod: 'pm_card_visa' }, { status: 201 });
      const paid = await stateWhere(stream, (state) => state.payment !== null);
      expect(paid.state).toEqual(await snapshot(order.id, bearer));
      expect(paid.state.attempts.map((attempt) => attempt.status)).toEqual(['succeeded']);
      expect(paid.id).not.toBe(initial.event.id);
    });

    it('authenticates a browser by its session cookie, since EventSource cannot send a header', async () => {
      const order = await replicateOrder(payments, 'browser-user');
      const cookie = sessionCookie(await signToken(TEST_JWT_KEY, { sub: 'browser-user' }));
      const stream = await open(payments.url, order.id, { Cookie: cookie });
      const { event } = await stream.nextEvent('state');
      expect(JSON.parse(event.data)).toEqual({ attempts: [], payment: null, refunds: [] });
    });

    it('sends nothing to a client whose Last-Event-ID is the current state until it changes', async () => {
      const order = await replicateOrder(payments, 'carol');
      const bearer = await payments.bearer('carol');
      const first = await open(payments.url, order.id, { Authorization: bearer });
      const { event: current } = await first.nextEvent('state');
      const resumed = await open(payments.url, order.id, {
        Authorization: bearer,
        'Last-Event-ID': current.id as string,
      });
      // `retry` is written once the stream is subscribed: whatever changes after it is sent.
      expect((await resumed.next()).retry).toBe(2000);
      await pay(
        payments,
        'carol',
        { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
        { status: 402 },
      );
      const { event, before } = await resumed.nextEvent('state');
      expect(before.filter((frame) => frame.event !== undefined)).toEqual([]);
      expect((JSON.parse(event.data) as OrderPaymentsResponse).attempts).toHaveLength(1);
    });

    it('reaches a stream opened on another replica with a payment and a refund made through this one', async () => {
      const order = await replicateOrder(payments, 'dave', 2000);
      const bearer = await payments.bearer('dave');
      const stream = await open(replica.url, order.id, { Authorization: bearer });
      await stream.nextEvent('state');
      const paid = await pay(
        payments,
        'dave',
        { orderId: order.id, paymentMethod: 'pm_card_visa' },
        { status: 201 },
      );
      await stateWhere(stream, (state) => state.payment !== null);
      await api(payments)
        .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
        .set('Authorization', await payments.bearer('ops', { admin: true }))
        .set('Idempotency-Key', randomUUID())
        .send({})
        .expect(201);
      const refunded = await stateWhere(stream, (state) =>
        state.refunds.some((refund) => refund.status === 'succeeded'),
      );
      expect(refunded.state.refunds).toEqual([
        expect.objectContaining({ amount: 2000, status: 'succeeded' }),
      ]);
    });

    it('sends heartbeat comments while nothing changes', async () => {
      const order = await replicateOrder(payments, 'erin');
      const stream = await open(payments.url, order.id, { Authorization: await payments.bearer('erin') });
      await stream.nextEvent('state');
      expect(await stream.next()).toEqual({ comments: ['heartbeat'] });
      expect(await stream.next()).toEqual({ comments: ['heartbeat'] });
    });

    it('after its LISTEN connection is killed, sends what changed while it was away', async () => {
      const order = await replicateOrder(payments, 'frank');
      const bearer = await payments.bearer('frank');
      await pay(
        payments,
        'frank',
        { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
        { status: 402 },
      );
      const stream = await open(payments.url, order.id, { Authorization: bearer });
      await stateWhere(stream, (state) => state.attempts.length === 1);
      await changeWhileHubsAreAway(payments.infra.databaseUrl, (db) =>
        db.query(`update payment_attempts set error_message = 'changed while away' where order_id = $1`, [
          order.id,
        ]),
      );
      // Any state sent on its own (a late webhook) may come first; without a re-read this one never would.
      await stateWhere(stream, (state) => state.attempts[0]?.message === 'changed while away');
    });
  });
});
