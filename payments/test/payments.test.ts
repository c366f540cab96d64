import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import type { StripeFake } from '@ticketing/stripe-fake';
import { api, keptCharges, pay, replicateOrder, startPayments, type PaymentsUnderTest } from './payments-api';

describe('POST /api/payments', () => {
  let payments: PaymentsUnderTest;
  let stripe: StripeFake;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ payments, stripe, stop } = await startPayments());
  });

  afterAll(async () => {
    await stop();
  });

  it('charges a good card: 201, payments.created, and the payment is visible to its owner', async () => {
    const order = await replicateOrder(payments, 'alice', 1999);
    const response = await pay(
      payments,
      'alice',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    expect(response.body).toMatchObject({
      orderId: order.id,
      status: 'succeeded',
      amount: 1999,
      currency: 'usd',
      amountRefunded: 0,
    });
    expect(response.body.stripeId).toMatch(/^pi_/);

    const event = await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(event.data).toEqual({
      id: response.body.id,
      orderId: order.id,
      stripeId: response.body.stripeId,
      amount: 1999,
      currency: 'usd',
    });
    const bearer = await payments.bearer('alice');
    const byOrder = await api(payments)
      .get(`/api/payments?orderId=${order.id}`)
      .set('Authorization', bearer)
      .expect(200);
    expect(byOrder.body).toEqual([response.body]);
    await api(payments)
      .get(`/api/payments/${response.body.id}`)
      .set('Authorization', bearer)
      .expect(200, response.body);
    await api(payments)
      .get(`/api/payments/${response.body.id}`)
      .set('Authorization', await payments.bearer('eve'))
      .expect(403);
    expect(
      keptCharges(stripe).filter((entry) => entry.payment_intent === response.body.stripeId),
    ).toHaveLength(1);
  });

  it('answers a decline with 402 and the code, publishes payments.failed, records it, and a good card then succeeds', async () => {
    const order = await replicateOrder(payments, 'bob');
    const declined = await pay(
      payments,
      'bob',
      { orderId: order.id, paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' },
      { status: 402 },
    );
    expect(declined.body.errors).toEqual([
      { message: 'Your card has insufficient funds.', code: 'insufficient_funds' },
    ]);
    expect(declined.body.attempt).toMatchObject({
      status: 'failed',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
    });
    const failed = await payments.recorder.waitFor('payments.failed', (data) => data.orderId === order.id);
    expect(failed.data).toEqual({
      attemptId: declined.body.attempt.id,
      orderId: order.id,
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });

    const expired = await pay(
      payments,
      'bob',
      { orderId: order.id, token: 'tok_chargeDeclined' },
      { status: 402 },
    );
    expect(expired.body.errors[0].code).toBe('generic_decline');
    await pay(payments, 'bob', { orderId: order.id, token: 'tok_visa' }, { status: 201 });

    const ledger = await api(payments)
      .get(`/api/payments/admin/attempts?orderId=${order.id}`)
      .set('Authorization', await payments.bearer('ops', { admin: true }))
      .expect(200);
    expect(ledger.body.map((attempt: { status: string }) => attempt.status)).toEqual([
      'succeeded',
      'failed',
      'failed',
    ]);
    const byCode = await api(payments)
      .get('/api/payments/admin/attempts?outcome=failed&code=insufficient_funds')
      .set('Authorization', await payments.bearer('ops', { admin: true }))
      .expect(200);
    expect(byCode.body.map((attempt: { id: string }) => attempt.id)).toContain(declined.body.attempt.id);
    await api(payments)
      .get('/api/payments/admin/attempts')
      .set('Authorization', await payments.bearer('bob'))
      .expect(403);
  });

  it('answers 202 with a clientSecret for 3-D Secure, and completes once when the webhook arrives', async () => {
    const order = await replicateOrder(payments, 'carol');
    const pending = await pay(
      payments,
      'carol',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    expect(pending.body.attempt.status).toBe('requires_action');
    expect(pending.body.clientSecret).toMatch(/^pi_.+_secret_/);

    stripe.authenticate(pending.body.attempt.stripePaymentIntentId, 'succeed');
    const created = await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    const attempt = await api(payments)
      .get(`/api/payments/attempts/${pending.body.attempt.id}`)
      .set('Authorization', await payments.bearer('carol'))
      .expect(200);
    expect(attempt.body.status).toBe('succeeded');
    // Every webhook of this payment has been handled; still one payment and one event.
    await waitFor(() =>
      stripe.webhooks
        .deliveries()
        .some((delivery) => delivery.event_type === 'payment_intent.succeeded' && delivery.status === 200),
    );
    expect(
      payments.recorder.events('payments.created').filter((event) => event.data.orderId === order.id),
    ).toEqual([created]);
  });

  it('charges once for the same request sent twice with one Idempotency-Key', async () => {
    const order = await replicateOrder(payments, 'dave');
    const body = { orderId: order.id, paymentMethod: 'pm_card_mastercard' };
    const first = await pay(payments, 'dave', body, {
      status: 201,
      headers: { 'Idempotency-Key': 'pay-once' },
    });
    const retry = await pay(payments, 'dave', body, {
      status: 201,
      headers: { 'Idempotency-Key': 'pay-once' },
    });
    expect(retry.body).toEqual(first.body);
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === first.body.stripeId)).toHaveLength(
      1,
    );
  });

  it('charges once when two different keys race for one order', async () => {
    const order = await replicateOrder(payments, 'erin');
    const bearer = await payments.bearer('erin');
    stripe.setLatency(100);
    try {
      const responses = await Promise.all(
        ['race-1', 'race-2'].map((key) =>
          api(payments)
            .post('/api/payments')
            .set('Authorization', bearer)
            .set('Idempotency-Key', key)
            .send({ orderId: order.id, paymentMethod: 'pm_card_visa' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
    } finally {
      stripe.setLatency(0);
    }
    await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    const intent = (
      await payments.db
        .selectFrom('payments')
        .select('stripe_payment_intent_id')
        .where('order_id', '=', order.id)
        .executeTakeFirstOrThrow()
    ).stripe_payment_intent_id;
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === intent)).toHaveLength(1);
    expect(
      payments.recorder.events('payments.created').filter((event) => event.data.orderId === order.id),
    ).toHaveLength(1);
  });

  it('answers 409 for a paid order, 400 for a cancelled one, 403 and 404 otherwise', async () => {
    const paid = await replicateOrder(payments, 'frank');
    await pay(payments, 'frank', { orderId: paid.id, paymentMethod: 'pm_card_visa' }, { status: 201 });
    const again = await pay(
      payments,
      'frank',
      { orderId: paid.id, paymentMethod: 'pm_card_visa' },
      { status: 409 },
    );
    expect(again.body.errors[0].message).toBe('The order is already paid');

    const cancelled = await replicateOrder(payments, 'frank');
    await payments.publish('orders.cancelled', {
      id: cancelled.id,
      version: 1,
      reason: 'user',
      ticket: { id: cancelled.ticket.id },
    });
    await waitFor(
      async () =>
        (
          await payments.db
            .selectFrom('orders')
            .select('status')
            .where('id', '=', cancelled.id)
            .executeTakeFirst()
        )?.status === 'cancelled',
    );
    const refused = await pay(
      payments,
      'frank',
      { orderId: cancelled.id, paymentMethod: 'pm_card_visa' },
      { status: 400 },
    );
    expect(refused.body.errors[0].message).toBe('The order was cancelled');

    await pay(payments, 'mallory', { orderId: paid.id, paymentMethod: 'pm_card_visa' }, { status: 403 });
    await pay(payments, 'frank', { orderId: randomUUID(), paymentMethod: 'pm_card_visa' }, { status: 404 });
  });

  it('answers 400 with field errors, 400 for an unknown payment method, and 401 without a token', async () => {
    const order = await replicateOrder(payments, 'gina');
    const both = await pay(
      payments,
      'gina',
      { orderId: 'x', paymentMethod: 'pm_card_visa', token: 'tok_visa' },
      { status: 400 },
    );
    expect(both.body.errors).toEqual([
      { message: 'orderId must be a UUID', field: 'orderId' },
      { message: 'give either paymentMethod or token', field: 'paymentMethod' },
    ]);
    await pay(payments, 'gina', { orderId: order.id }, { status: 400 });
    await pay(payments, 'gina', { orderId: order.id, paymentMethod: 'card' }, { status: 400 });
    const unknown = await pay(
      payments,
      'gina',
      { orderId: order.id, paymentMethod: 'pm_card_nonexistent' },
      { status: 400 },
    );
    expect(unknown.body.errors[0].field).toBe('paymentMethod');
    await api(payments).post('/api/payments').send({ orderId: order.id, token: 'tok_visa' }).expect(401);
  });

  it('with Prefer: respond-async answers 202 at once and charges in the background', async () => {
    const order = await replicateOrder(payments, 'hank');
    const accepted = await pay(
      payments,
      'hank',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 202, headers: { Prefer: 'respond-async' } },
    );
    expect(accepted.headers['preference-applied']).toBe('respond-async');
    expect(accepted.body.attempt.status).toBe('pending');
    await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    const attempt = await api(payments)
      .get(`/api/payments/attempts/${accepted.body.attempt.id}`)
      .set('Authorization', await payments.bearer('hank'))
      .expect(200);
    expect(attempt.body.status).toBe('succeeded');
  });
});
