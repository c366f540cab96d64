import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import {
  keptCharges,
  pay,
  replicateOrder,
  settledAttempts,
  paymentsWithSweepOnDemand,
  sweep,
} from './payments-api';

describe("an order's deadline", () => {
  const running = paymentsWithSweepOnDemand();

  const expiredEvents = (orderId: string) =>
    running.payments.recorder.events('payments.expired').filter((event) => event.data.orderId === orderId);

  const replica = (orderId: string) =>
    running.payments.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();

  /** The expiration service's word that the order's time is up, handled by payments. */
  async function deadlineReached(orderId: string) {
    await running.payments.publish('expiration.completed', { orderId });
    await waitFor(async () => (await replica(orderId)).deadline_reached_at !== null);
  }

  it('refuses to start a charge once the deadline has passed, and charges nothing', async () => {
    const order = await replicateOrder(running.payments, 'tardy', 2500, new Date(Date.now() - 1_000));
    const response = await pay(
      running.payments,
      'tardy',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 400 },
    );
    expect(response.body.errors[0].message).toBe('The time to pay for this order has run out');
    expect(
      await running.payments.db.selectFrom('payment_attempts').where('order_id', '=', order.id).execute(),
    ).toEqual([]);
  });

  it('keeps a payment Stripe accepted while the deadline passed: the order is never expired', async () => {
    const order = await replicateOrder(running.payments, 'just-in-time');
    running.stripe.setLatency(600);
    const started = await pay(
      running.payments,
      'just-in-time',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202, headers: { Prefer: 'respond-async' } },
    );
    // The deadline passes while the charge is at Stripe.
    await deadlineReached(order.id);
    const inFlight = await running.payments.db
      .selectFrom('payment_attempts')
      .select('status')
      .where('id', '=', started.body.attempt.id)
      .executeTakeFirstOrThrow();
    expect(inFlight.status).toBe('pending');

    await running.payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    await sweep(running.payments);
    expect(expiredEvents(order.id)).toEqual([]);
    expect((await replica(order.id)).expired_at).toBeNull();
    expect(keptCharges(running.stripe).filter((entry) => entry.amount_captured === 2500)).not.toHaveLength(0);
  });

  it('expires the order once the attempt under way at the deadline is declined', async () => {
    const order = await replicateOrder(running.payments, 'unlucky');
    running.stripe.setLatency(600);
    await pay(
      running.payments,
      'unlucky',
      { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
      { status: 202, headers: { Prefer: 'respond-async' } },
    );
    await deadlineReached(order.id);
    expect(expiredEvents(order.id)).toEqual([]);
    const expired = await running.payments.recorder.waitFor(
      'payments.expired',
      (data) => data.orderId === order.id,
    );
    expect(expired.data).toEqual({ orderId: order.id, expiresAt: order.expiresAt });
    const [attempt] = await settledAttempts(running.payments, order.id);
    expect(attempt?.status).toBe('failed');
  });

  it('expires an unpaid order at once, and an order it never heard of too', async () => {
    const order = await replicateOrder(running.payments, 'idle');
    await deadlineReached(order.id);
    await running.payments.recorder.waitFor('payments.expired', (data) => data.orderId === order.id);
    const unknown = randomUUID();
    await running.payments.publish('expiration.completed', { orderId: unknown });
    const expired = await running.payments.recorder.waitFor(
      'payments.expired',
      (data) => data.orderId === unknown,
    );
    expect(expired.data.expiresAt).toBeNull();
    // A payment after the verdict is refused.
    await pay(
      running.payments,
      'idle',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 400 },
    );
  });

  it('cancels a 3-D Secure charge still waiting on the buyer at the deadline, then expires the order', async () => {
    const order = await replicateOrder(running.payments, 'hesitant');
    const waiting = await pay(
      running.payments,
      'hesitant',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    await deadlineReached(order.id);
    expect(expiredEvents(order.id)).toEqual([]);
    await sweep(running.payments);
    await running.payments.recorder.waitFor('payments.expired', (data) => data.orderId === order.id);
    const intentId = waiting.body.attempt.stripePaymentIntentId as string;
    expect(() => running.stripe.authenticate(intentId, 'succeed')).toThrow(/canceled/);
    expect(keptCharges(running.stripe).filter((entry) => entry.payment_intent === intentId)).toEqual([]);
  });

  it('does not charge an attempt cut off before Stripe once its order is past the deadline', async () => {
    const order = await replicateOrder(running.payments, 'crashed', 2500, new Date(Date.now() + 1_000));
    // What a request that died a minute ago, between making its attempt and reaching Stripe, left behind.
    const attemptId = randomUUID();
    await running.payments.db
      .insertInto('payment_attempts')
      .values({
        id: attemptId,
        order_id: order.id,
        user_id: 'crashed',
        payment_method: 'pm_card_visa',
        status: 'pending',
        amount: 2500,
        currency: 'usd',
        stripe_payment_intent_id: null,
        stripe_charge_id: null,
        error_code: null,
        decline_code: null,
        error_message: null,
        created_at: new Date(Date.now() - 60_000),
      })
      .execute();
    await waitFor(async () => (await replica(order.id)).expires_at! < new Date());
    await sweep(running.payments);
    const [attempt] = await settledAttempts(running.payments, order.id);
    expect(attempt).toMatchObject({ status: 'canceled', error_code: 'order_not_payable' });
    expect(
      running.stripe
        .ledger()
        .entries.filter((entry) => entry.amount === 2500 && entry.payment_intent === null),
    ).toEqual([]);
    expect(
      await running.payments.db.selectFrom('payments').where('order_id', '=', order.id).execute(),
    ).toEqual([]);
  });
});
