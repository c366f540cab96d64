import { waitFor } from '@ticketing/testing';
import {
  keptCharges,
  pay,
  replicateOrder,
  settledAttempts,
  paymentsWithSweepOnDemand,
  sweep,
} from './payments-api';

describe('payments while Stripe fails', () => {
  const running = paymentsWithSweepOnDemand();

  const paymentsCreated = (orderId: string) =>
    running.payments.recorder.events('payments.created').filter((event) => event.data.orderId === orderId);

  it('answers 202 when Stripe fails to make the PaymentIntent, and the sweep pays it under a fresh key', async () => {
    const order = await replicateOrder(running.payments, 'first-try', 3100);
    // Stripe keeps the 500 under the request's idempotency key: a retry with that key would get it again.
    running.stripe.setFailures({ mode: 'error', next: 1 });
    const pending = await pay(
      running.payments,
      'first-try',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202 },
    );
    expect(pending.body.attempt.status).toBe('pending');
    await sweep(running.payments);
    const [attempt] = await settledAttempts(running.payments, order.id);
    expect(attempt?.status).toBe('succeeded');
    await running.payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(paymentsCreated(order.id)).toHaveLength(1);
    expect(keptCharges(running.stripe).filter((entry) => entry.amount_captured === 3100)).toHaveLength(1);
  });

  it('records a charge whose answer was lost, without charging again', async () => {
    const order = await replicateOrder(running.payments, 'lost-answer', 3200);
    // A decline first, so that the next attempt's first request to Stripe is its confirmation.
    await pay(
      running.payments,
      'lost-answer',
      { orderId: order.id, paymentMethod: 'pm_card_chargeDeclined' },
      { status: 402 },
    );
    running.stripe.setFailures({ mode: 'drop', next: 20 });
    const pending = await pay(
      running.payments,
      'lost-answer',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202 },
    );
    running.stripe.setFailures({ mode: 'none' });
    const intentId = pending.body.attempt.stripePaymentIntentId as string;
    // Stripe did charge: the answer only was lost.
    expect(keptCharges(running.stripe).filter((entry) => entry.payment_intent === intentId)).toHaveLength(1);
    await sweep(running.payments);
    const attempts = await settledAttempts(running.payments, order.id);
    expect(attempts.map((attempt) => attempt.status)).toEqual(['failed', 'succeeded']);
    await running.payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(paymentsCreated(order.id)).toHaveLength(1);
    expect(keptCharges(running.stripe).filter((entry) => entry.payment_intent === intentId)).toHaveLength(1);
  });

  it('cancels an order at once while Stripe is down, and ends its open intent once Stripe is back', async () => {
    const order = await replicateOrder(running.payments, 'gives-up');
    const waiting = await pay(
      running.payments,
      'gives-up',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    running.stripe.setFailures({ mode: 'error', rate: 1 });
    const cancellation = await running.payments.publish('orders.cancelled', {
      id: order.id,
      version: 1,
      reason: 'user',
      ticket: { id: order.ticket.id },
    });
    // The cancellation itself needs no Stripe: it is applied at once, holding no lock while Stripe fails.
    await waitFor(async () => {
      const handled = await running.payments.db
        .selectFrom('inbox')
        .select('event_id')
        .where('event_id', '=', cancellation.id)
        .executeTakeFirst();
      return handled !== undefined;
    });
    await sweep(running.payments);
    const intentId = waiting.body.attempt.stripePaymentIntentId as string;
    const [stillWaiting] = await settledAttempts(running.payments, order.id);
    expect(stillWaiting?.status).toBe('requires_action');

    running.stripe.setFailures({ mode: 'none' });
    await sweep(running.payments);
    const [attempt] = await settledAttempts(running.payments, order.id);
    expect(attempt?.status).toBe('canceled');
    expect(() => running.stripe.authenticate(intentId, 'succeed')).toThrow(/canceled/);
    expect(running.payments.recorder.recorded.filter((event) => event.subject.startsWith('dlq.'))).toEqual(
      [],
    );
  });
});
