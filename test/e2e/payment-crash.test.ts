import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import pg from 'pg';
import { Client, startSystem } from './system-client';

/**
 * A buyer's payment cut off by a crash of the payments service: the buyer's app retries with the same
 * Idempotency-Key, as it should, and gets the payment, made once.
 */
describe('a payment whose service crashes mid-charge', () => {
  let running: Awaited<ReturnType<typeof startSystem>>;
  let payments: pg.Client;

  beforeAll(async () => {
    running = await startSystem({
      EXPIRATION_WINDOW_SECONDS: '300',
      PAYMENT_RECONCILE_INTERVAL_SECONDS: '3600',
    });
    payments = new pg.Client({ connectionString: running.databaseUrls.payments });
    await payments.connect();
  });

  afterAll(async () => {
    await payments.end();
    await running.stop();
  });

  it('is resumed by the retry with the same Idempotency-Key, and charges once', async () => {
    const stripe = running.system.stripe;
    if (!stripe) throw new Error('the system runs against the Stripe fake');
    const seller = await Client.as(running.system, 'seller');
    const buyer = await Client.as(running.system, 'buyer');
    const order = await buyer.order(await seller.sellTicket(4321));
    await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_chargeDeclined' });

    const key = randomUUID();
    const pay = () =>
      buyer
        .post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' })
        .set('Idempotency-Key', key);
    // Stripe answers slowly, so the charge is still at Stripe when the service dies.
    stripe.setLatency(1_000);
    const cutOff = pay().then((response) => response.status);
    await waitFor(async () => {
      const { rows } = await payments.query(
        "select 1 from payment_attempts where order_id = $1 and status = 'pending'",
        [order.id],
      );
      return rows.length === 1;
    });
    running.system.services.payments.kill('SIGKILL');
    expect(await cutOff).toBe(503);
    stripe.setLatency(0);

    // The sweep is off: only the retry can finish the attempt its first request made.
    const paid = await waitFor(
      async () => {
        const response = await pay();
        return response.status === 201 && response;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'the retry to be answered with the payment' },
    );
    expect(paid.body).toMatchObject({ orderId: order.id, amount: 4321, status: 'succeeded' });
    await buyer.waitForOrder(order.id, 'complete');
    const { rows: attempts } = await payments.query(
      'select status from payment_attempts where order_id = $1 order by created_at',
      [order.id],
    );
    expect(attempts.map((attempt) => attempt.status)).toEqual(['failed', 'succeeded']);
    const charges = stripe
      .ledger()
      .entries.filter((entry) => entry.payment_intent === paid.body.stripeId && entry.status === 'succeeded');
    expect(charges).toHaveLength(1);
  }, 120_000);
});
