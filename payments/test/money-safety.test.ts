import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import type { StripeFake } from '@ticketing/stripe-fake';
import { sweepOnce } from '../src/reconciliation/reconciliation-sweep';
import { stripeClient } from '../src/stripe/stripe-client';
import { api, keptCharges, pay, replicateOrder, startPayments, type PaymentsUnderTest } from './payments-api';

describe('money safety', () => {
  let payments: PaymentsUnderTest;
  let stripe: StripeFake;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ payments, stripe, stop } = await startPayments());
  });

  afterAll(async () => {
    await stop();
  });

  const sweepContext = () => ({
    db: payments.db,
    stripe: stripeClient(payments.service.config),
    logger: payments.service.logger,
  });
  const sweepOptions = { staleAfterSeconds: 0, attemptHoldSeconds: 10 };
  const cancel = (order: { id: string; ticket: { id: string } }) =>
    payments.publish('orders.cancelled', {
      id: order.id,
      version: 1,
      reason: 'expired',
      ticket: { id: order.ticket.id },
    });

  it('refunds a charge for an order cancelled after it was paid, and publishes payments.refunded', async () => {
    const order = await replicateOrder(payments, 'mia', 3000);
    const paid = await pay(
      payments,
      'mia',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    await cancel(order);
    const refunded = await payments.recorder.waitFor(
      'payments.refunded',
      (data) => data.orderId === order.id,
    );
    expect(refunded.data).toMatchObject({ orderId: order.id, amount: 3000, reason: 'order_cancelled' });
    expect(refunded.data.stripeRefundId).toMatch(/^re_/);
    const charge = stripe.ledger().entries.find((entry) => entry.payment_intent === paid.body.stripeId);
    expect(charge).toMatchObject({ status: 'succeeded', amount_captured: 3000, amount_refunded: 3000 });
    const payment = await api(payments)
      .get(`/api/payments/${paid.body.id}`)
      .set('Authorization', await payments.bearer('mia'))
      .expect(200);
    expect(payment.body).toMatchObject({ status: 'refunded', amountRefunded: 3000 });
  });

  it('keeps no money for an order cancelled while its charge is succeeding', async () => {
    const order = await replicateOrder(payments, 'ned');
    const bearer = await payments.bearer('ned');
    stripe.setLatency(150);
    try {
      // Sent now (then() starts it), answered only after the cancellation below has been published.
      const paying = api(payments)
        .post('/api/payments')
        .set('Authorization', bearer)
        .send({ orderId: order.id, paymentMethod: 'pm_card_visa' })
        .then((response) => response);
      await cancel(order);
      expect([201, 400, 409]).toContain((await paying).status);
    } finally {
      stripe.setLatency(0);
    }
    // No attempt was made (the cancellation came first), or it never went to Stripe, or its charge is refunded.
    const attempts = await waitFor(async () => {
      const rows = await payments.db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      return rows.every((row) => row.status !== 'pending') && rows;
    });
    const intentId = attempts[0]?.stripe_payment_intent_id ?? null;
    await waitFor(() => keptCharges(stripe).every((entry) => entry.payment_intent !== intentId));
    const charged = stripe
      .ledger()
      .entries.some((entry) => entry.payment_intent === intentId && entry.status === 'succeeded');
    if (charged) await payments.recorder.waitFor('payments.refunded', (data) => data.orderId === order.id);
  });

  it('races cancellations against payments on many orders without a deadlock reaching a buyer or an event', async () => {
    const orders = await Promise.all(
      Array.from({ length: 12 }, (_, i) => replicateOrder(payments, `racer-${i}`, 5000 + i)),
    );
    stripe.setLatency(20);
    let statuses: number[];
    const cancellations: string[] = [];
    try {
      statuses = await Promise.all(
        orders.map(async (order, i) => {
          const paying = api(payments)
            .post('/api/payments')
            .set('Authorization', await payments.bearer(`racer-${i}`))
            .send({ orderId: order.id, paymentMethod: 'pm_card_visa' })
            .then((response) => response.status);
          cancellations.push((await cancel(order)).id);
          return paying;
        }),
      );
    } finally {
      stripe.setLatency(0);
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const amounts = new Set(orders.map((order) => order.ticket.price));
    await waitFor(() => keptCharges(stripe).every((entry) => !amounts.has(entry.amount_captured)));
    await waitFor(async () => {
      const handled = await payments.db
        .selectFrom('inbox')
        .select('event_id')
        .where('event_id', 'in', cancellations)
        .execute();
      return handled.length === orders.length;
    });
    expect(payments.recorder.recorded.filter((event) => event.subject.startsWith('dlq.'))).toEqual([]);
  });

  it('leaves no PaymentIntent open when the order is cancelled while its payment is being set up', async () => {
    const order = await replicateOrder(payments, 'setting-up');
    stripe.setLatency(400);
    try {
      const started = await pay(
        payments,
        'setting-up',
        { orderId: order.id, paymentMethod: 'pm_card_visa' },
        { status: 202, headers: { Prefer: 'respond-async' } },
      );
      // The intent is being made at Stripe as the order is cancelled.
      await cancel(order);
      const attempt = await waitFor(async () => {
        const row = await payments.db
          .selectFrom('payment_attempts')
          .selectAll()
          .where('id', '=', started.body.attempt.id)
          .executeTakeFirstOrThrow();
        return row.status !== 'pending' && row;
      });
      // No intent at all if the cancellation came first; else not one that could still be charged.
      const intentId = attempt.stripe_payment_intent_id;
      if (intentId) {
        const intent = await stripeClient(payments.service.config).paymentIntents.retrieve(intentId);
        expect(['canceled', 'succeeded']).toContain(intent.status);
        await waitFor(() => keptCharges(stripe).every((entry) => entry.payment_intent !== intentId));
      }
    } finally {
      stripe.setLatency(0);
    }
  });

  it('cancels the open PaymentIntent of a cancelled order, so it can no longer be charged', async () => {
    const order = await replicateOrder(payments, 'olga');
    const pending = await pay(
      payments,
      'olga',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    await cancel(order);
    await waitFor(async () => {
      const intent = await payments.db
        .selectFrom('stripe_payment_intents')
        .select('status')
        .where('id', '=', pending.body.attempt.stripePaymentIntentId)
        .executeTakeFirst();
      return intent?.status === 'canceled';
    });
    expect(() => stripe.authenticate(pending.body.attempt.stripePaymentIntentId, 'succeed')).toThrow();
    expect(
      keptCharges(stripe).filter(
        (entry) => entry.payment_intent === pending.body.attempt.stripePaymentIntentId,
      ),
    ).toHaveLength(0);
  });

  it('finishes, exactly once, an attempt left pending by a crash after Stripe answered', async () => {
    const order = await replicateOrder(payments, 'pat', 4200);
    const attemptId = randomUUID();
    await payments.db
      .insertInto('payment_attempts')
      .values({
        id: attemptId,
        order_id: order.id,
        user_id: 'pat',
        payment_method: 'pm_card_visa',
        status: 'pending',
        amount: 4200,
        currency: 'usd',
        stripe_payment_intent_id: null,
        stripe_charge_id: null,
        error_code: null,
        decline_code: null,
        error_message: null,
      })
      .execute();
    // What the crashed process did at Stripe, under the same idempotency keys, before it could commit.
    const sdk = stripeClient(payments.service.config);
    const intent = await sdk.paymentIntents.create(
      {
        amount: 4200,
        currency: 'usd',
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        metadata: { orderId: order.id, userId: 'pat' },
      },
      { idempotencyKey: `attempt:${attemptId}:payment-intent:0` },
    );
    await sdk.paymentIntents.confirm(
      intent.id,
      { payment_method: 'pm_card_visa' },
      { idempotencyKey: `attempt:${attemptId}:confirm:0` },
    );

    await sweepOnce(sweepContext(), sweepOptions);
    await sweepOnce(sweepContext(), sweepOptions);
    const attempt = await payments.db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('id', '=', attemptId)
      .executeTakeFirstOrThrow();
    expect(attempt.status).toBe('succeeded');
    await payments.recorder.waitFor('payments.created', (data) => data.orderId === order.id);
    expect(
      payments.recorder.events('payments.created').filter((event) => event.data.orderId === order.id),
    ).toHaveLength(1);
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === intent.id)).toHaveLength(1);
  });

  it('lets an admin refund part of a payment, and refuses more than is left', async () => {
    const order = await replicateOrder(payments, 'quinn', 5000);
    const paid = await pay(
      payments,
      'quinn',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    const admin = await payments.bearer('ops', { admin: true });
    const partial = await api(payments)
      .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
      .set('Authorization', admin)
      .set('Idempotency-Key', randomUUID())
      .send({ amount: 2000, reason: 'goodwill' })
      .expect(201);
    expect(partial.body.payment).toMatchObject({ status: 'succeeded', amountRefunded: 2000 });
    const tooMuch = await api(payments)
      .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
      .set('Authorization', admin)
      .set('Idempotency-Key', randomUUID())
      .send({ amount: 4000 })
      .expect(400);
    expect(tooMuch.body.errors[0].message).toBeTruthy();
    await api(payments)
      .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
      .set('Authorization', await payments.bearer('quinn'))
      .send({})
      .expect(403);
    const rest = await api(payments)
      .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
      .set('Authorization', admin)
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(201);
    expect(rest.body.payment).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    const refunds = await waitFor(() => {
      const events = payments.recorder
        .events('payments.refunded')
        .filter((event) => event.data.orderId === order.id);
      return events.length === 2 && events;
    });
    expect(refunds.map((event) => [event.data.amount, event.data.reason, event.data.amountLeft])).toEqual([
      [2000, 'goodwill', 3000],
      [3000, 'requested_by_admin', 0],
    ]);
  });
});
