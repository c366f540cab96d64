import { randomUUID } from 'node:crypto';
import { type EventData } from '@ticketing/contracts';
import { createDatabase } from '@ticketing/bus';
import { waitFor } from '@ticketing/testing';
import { sql } from 'kysely';
import request from 'supertest';
import { pay, replicateOrder, startPayments, type PaymentsUnderTest } from './payments-api';

const WAIT_MS = 2_000;

/** An order as the orders service announces it, not yet sent. */
function newOrder(buyer: string): EventData<'orders.created'> {
  return {
    id: randomUUID(),
    version: 0,
    status: 'created',
    userId: buyer,
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    ticket: { id: randomUUID(), price: 1500, currency: 'usd' },
  };
}

describe('POST /api/payments for an order not replicated yet', () => {
  let payments: PaymentsUnderTest;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // One connection in the pool: a wait that held it would starve the listener bringing the order in.
    ({ payments, stop } = await startPayments({
      PAYMENT_ORDER_WAIT_MS: String(WAIT_MS),
      DATABASE_POOL_SIZE: '1',
    }));
  });

  afterAll(async () => {
    await stop();
  });

  /** Requests waiting for their order, from the notification hub's gauge. */
  async function waiting(): Promise<number> {
    const metrics = await request(payments.url).get('/metrics').expect(200);
    const line = /notification_hub_subscribers\{channel="order_replicated"[^}]*\} (\d+)/.exec(metrics.text);
    return Number(line?.[1] ?? 0);
  }

  it('pays as soon as the order arrives, without a 404', async () => {
    const order = newOrder('olga');
    const started = Date.now();
    const paying = pay(
      payments,
      'olga',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    await waitFor(async () => (await waiting()) === 1);
    await payments.publish('orders.created', order);
    const paid = await paying;
    expect(paid.body).toMatchObject({ orderId: order.id, status: 'succeeded', amount: 1500 });
    expect(Date.now() - started).toBeLessThan(WAIT_MS);
    expect(await waiting()).toBe(0);
  });

  it('answers 404 once the wait is over for an order that never arrives', async () => {
    const started = Date.now();
    const missing = await pay(
      payments,
      'olga',
      { orderId: randomUUID(), paymentMethod: 'pm_card_visa' },
      { status: 404 },
    );
    const waited = Date.now() - started;
    expect(missing.body.errors[0].message).toBe('Order not found');
    expect(waited).toBeGreaterThanOrEqual(WAIT_MS);
    expect(waited).toBeLessThan(WAIT_MS + 1_000);
  });

  it('holds neither a connection nor a transaction while it waits', async () => {
    const known = await replicateOrder(payments, 'pavel');
    const waits = [1, 2, 3].map(() =>
      pay(payments, 'pavel', { orderId: randomUUID(), paymentMethod: 'pm_card_visa' }, { status: 404 }),
    );
    await waitFor(async () => (await waiting()) === 3);

    // The pool's only connection is free: another request is answered at once.
    const started = Date.now();
    await request(payments.url)
      .get(`/api/payments?orderId=${known.id}`)
      .set('Authorization', await payments.bearer('pavel'))
      .expect(200, []);
    expect(Date.now() - started).toBeLessThan(500);
    const observer = createDatabase({ connectionString: payments.infra.databaseUrl });
    try {
      const { rows } = await sql<{ state: string | null }>`
        select state from pg_stat_activity
        where datname = current_database() and state like 'idle in transaction%'`.execute(observer);
      expect(rows).toEqual([]);
    } finally {
      await observer.destroy();
    }
    await Promise.all(waits);
  });

  it('does not keep the 404 under an Idempotency-Key: the retry once the order is here pays', async () => {
    const order = newOrder('quinn');
    const headers = { 'Idempotency-Key': randomUUID() };
    const body = { orderId: order.id, paymentMethod: 'pm_card_visa' };
    await pay(payments, 'quinn', body, { status: 404, headers });
    await payments.publish('orders.created', order);
    await waitFor(() =>
      payments.db.selectFrom('orders').select('id').where('id', '=', order.id).executeTakeFirst(),
    );
    const paid = await pay(payments, 'quinn', body, { status: 201, headers });
    expect(paid.headers['idempotent-replayed']).toBeUndefined();
    const replay = await pay(payments, 'quinn', body, { status: 201, headers });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(paid.text);
  });
});
