import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import type { StripeFake } from '@ticketing/stripe-fake';
import Stripe from 'stripe';
import {
  api,
  pay,
  replicateOrder,
  startPayments,
  WEBHOOK_SECRET,
  type PaymentsUnderTest,
} from './payments-api';

describe('Stripe webhooks', () => {
  let payments: PaymentsUnderTest;
  let stripe: StripeFake;
  let stop: () => Promise<void>;
  const signer = new Stripe('sk_test_signing_only');

  beforeAll(async () => {
    ({ payments, stripe, stop } = await startPayments());
  });

  afterAll(async () => {
    await stop();
  });

  function postEvent(payload: object, secret = WEBHOOK_SECRET) {
    const body = JSON.stringify(payload);
    const signature = signer.webhooks.generateTestHeaderString({ payload: body, secret });
    return api(payments)
      .post('/api/payments/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body);
  }

  async function threeDSecureAttempt(buyer: string) {
    const order = await replicateOrder(payments, buyer);
    const response = await pay(
      payments,
      buyer,
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    return { order, attempt: response.body.attempt as { id: string; stripePaymentIntentId: string } };
  }

  const attemptStatus = async (attemptId: string) =>
    (
      await payments.db
        .selectFrom('payment_attempts')
        .select('status')
        .where('id', '=', attemptId)
        .executeTakeFirstOrThrow()
    ).status;

  it('refuses a bad signature with 400', async () => {
    const event = {
      id: `evt_${randomUUID()}`,
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi_x' } },
    };
    const response = await postEvent(event, 'whsec_someone_else').expect(400);
    expect(response.body.errors[0].message).toBe('Invalid Stripe signature');
    await api(payments).post('/api/payments/webhooks/stripe').send(event).expect(400);
  });

  it('gives a duplicated event no second effect', async () => {
    stripe.webhooks.configure({ duplicate: true });
    try {
      const { order, attempt } = await threeDSecureAttempt('ivan');
      stripe.authenticate(attempt.stripePaymentIntentId, 'succeed');
      await waitFor(
        () =>
          stripe.webhooks
            .deliveries()
            .filter(
              (delivery) => delivery.event_type === 'payment_intent.succeeded' && delivery.status === 200,
            ).length >= 2,
      );
      const duplicates = stripe.webhooks
        .deliveries()
        .filter((delivery) => delivery.event_type === 'payment_intent.succeeded');
      expect(new Set(duplicates.map((delivery) => delivery.event_id)).size).toBeLessThan(duplicates.length);
      await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
      expect(
        payments.recorder.events('payments.created').filter((event) => event.data.orderId === order.id),
      ).toHaveLength(1);
    } finally {
      stripe.webhooks.configure({ duplicate: false });
    }
  });

  it('ends succeeded when succeeded is delivered before requires_action', async () => {
    stripe.webhooks.configure({ outOfOrder: true });
    stripe.webhooks.pause();
    try {
      const { order, attempt } = await threeDSecureAttempt('judy');
      stripe.authenticate(attempt.stripePaymentIntentId, 'succeed');
      stripe.webhooks.flush();
      await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
      await waitFor(() =>
        stripe.webhooks
          .deliveries()
          .some(
            (delivery) => delivery.event_type === 'payment_intent.requires_action' && delivery.status === 200,
          ),
      );
      expect(await attemptStatus(attempt.id)).toBe('succeeded');
    } finally {
      stripe.webhooks.configure({ outOfOrder: false });
    }
  });

  it('trusts Stripe over a stale payload: the object is read again', async () => {
    const { attempt } = await threeDSecureAttempt('ken');
    // Claims success for an intent that is still waiting for authentication.
    const forged = {
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: attempt.stripePaymentIntentId, object: 'payment_intent', status: 'succeeded' } },
    };
    await postEvent(forged).expect(200, { received: true });
    expect(await attemptStatus(attempt.id)).toBe('requires_action');
    expect(
      await payments.db
        .selectFrom('payments')
        .select('id')
        .where('attempt_id', '=', attempt.id)
        .executeTakeFirst(),
    ).toBeUndefined();
    await postEvent(forged).expect(200, { received: true, duplicate: true });
  });

  it('records a failed authentication as a failed attempt', async () => {
    const { order, attempt } = await threeDSecureAttempt('liz');
    stripe.authenticate(attempt.stripePaymentIntentId, 'fail');
    const failed = await payments.recorder.waitFor('payments.failed', (data) => data.orderId === order.id);
    expect(failed.data.code).toBe('payment_intent_authentication_failure');
    expect(await attemptStatus(attempt.id)).toBe('failed');
  });
});
