import { waitFor } from '@ticketing/common/testing';
import type { StripeFake } from '@ticketing/stripe-fake';
import {
  keptCharges,
  pay,
  replicateOrder,
  settledAttempts,
  startPayments,
  sweep,
  type PaymentsUnderTest,
} from './payments-api';

describe('payments while Stripe fails', () => {
  let payments: PaymentsUnderTest;
  let stripe: StripeFake;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // The sweep runs when a test says so.
    ({ payments, stripe, stop } = await startPayments({ PAYMENT_RECONCILE_INTERVAL_SECONDS: '3600' }));
  });

  afterAll(async () => {
    await stop();
  });

  afterEach(() => {
    stripe.setFailures({ mode: 'none' });
  });

  const paymentsCreated = (orderId: string) =>
    payments.recorder.events('payments.created').filter((event) => event.data.orderId === orderId);

  it('answers 202 when Stripe fails to make the PaymentIntent, and the sweep pays it under a fresh key', async () => {
    const order = await replicateOrder(payments, 'first-try', 3100);
    // Stripe keeps the 500 under the request's idempotency key: a retry with that key would get it again.
    stripe.setFailures({ mode: 'error', next: 1 });
    const pending = await pay(
      payments,
      'first-try',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202 },
    );
    expect(pending.body.attempt.status).toBe('pending');
    await sweep(payments);
    const [attempt] = await settledAttempts(payments, order.id);
    expect(attempt?.status).toBe('succeeded');
    await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(paymentsCreated(order.id)).toHaveLength(1);
    expect(keptCharges(stripe).filter((entry) => entry.amount_captured === 3100)).toHaveLength(1);
  });

  it('records a charge whose answer was lost, without charging again', async () => {
    const order = await replicateOrder(payments, 'lost-answer', 3200);
    // A decline first, so that the next attempt's first request to Stripe is its confirmation.
    await pay(
      payments,
      'lost-answer',
      { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
      { status: 402 },
    );
    stripe.setFailures({ mode: 'drop', next: 20 });
    const pending = await pay(
      payments,
      'lost-answer',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202 },
    );
    stripe.setFailures({ mode: 'none' });
    const intentId = pending.body.attempt.stripePaymentIntentId as string;
    // Stripe did charge: the answer only was lost.
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === intentId)).toHaveLength(1);
    await sweep(payments);
    const attempts = await settledAttempts(payments, order.id);
    expect(attempts.map((attempt) => attempt.status)).toEqual(['failed', 'succeeded']);
    await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(paymentsCreated(order.id)).toHaveLength(1);
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === intentId)).toHaveLength(1);
  });

  it('cancels an order at once while Stripe is down, and ends its open intent once Stripe is back', async () => {
    const order = await replicateOrder(payments, 'gives-up');
    const waiting = await pay(
      payments,
      'gives-up',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    stripe.setFailures({ mode: 'error', rate: 1 });
    const cancellation = await payments.publish('orders.cancelled', {
      id: order.id,
      version: 1,
      reason: 'user',
      ticket: { id: order.ticket.id },
    });
    // The cancellation itself needs no Stripe: it is applied at once, holding no lock while Stripe fails.
    await waitFor(async () => {
      const handled = await payments.db
        .selectFrom('inbox')
        .select('event_id')
        .where('event_id', '=', cancellation.id)
        .executeTakeFirst();
      return handled !== undefined;
    });
    await sweep(payments);
    const intentId = waiting.body.attempt.stripePaymentIntentId as string;
    const [stillWaiting] = await settledAttempts(payments, order.id);
    expect(stillWaiting?.status).toBe('requires_action');

    stripe.setFailures({ mode: 'none' });
    await sweep(payments);
    const [attempt] = await settledAttempts(payments, order.id);
    expect(attempt?.status).toBe('canceled');
    expect(() => stripe.authenticate(intentId, 'succeed')).toThrow(/canceled/);
    expect(payments.recorder.recorded.filter((event) => event.subject.startsWith('dlq.'))).toEqual([]);
  });
});
