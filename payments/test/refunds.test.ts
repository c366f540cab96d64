import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import Stripe from 'stripe';
import { stripeClient } from '../src/stripe/stripe-client';
import {
  api,
  cancelOrder,
  keptCharges,
  pay,
  paymentsWithSweepOnDemand,
  recordedRefunds,
  replicateOrder,
  sweep,
} from './payments-api';

describe('refunds', () => {
  // A failed automatic refund is asked for again after a second, then two.
  const running = paymentsWithSweepOnDemand({ PAYMENT_REFUND_RETRY_SECONDS: '1' });
  const sdk = () => stripeClient(running.payments.service.config);
  const refundedEvents = (orderId: string) =>
    running.payments.recorder.events('payments.refunded').filter((event) => event.data.orderId === orderId);
  const paymentRow = (id: string) =>
    running.payments.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const admin = async () => running.payments.bearer('ops', { admin: true });

  async function paidOrder(buyer: string, price: number, paymentMethod = 'pm_card_visa') {
    const order = await replicateOrder(running.payments, buyer, price);
    const paid = await pay(running.payments, buyer, { orderId: order.id, paymentMethod }, { status: 201 });
    return { order, payment: paid.body as { id: string; stripeId: string } };
  }

  it('of a cancelled order that fails is not money returned: it is retried, and announced once it succeeds', async () => {
    const { payments, stripe } = running;
    const { order, payment } = await paidOrder('unlucky', 4100);
    stripe.setRefundSettlement('pending');
    await cancelOrder(payments, order);
    const [first] = await waitFor(async () => {
      const refunds = await recordedRefunds(payments, payment.id);
      return refunds[0]?.status === 'pending' && refunds;
    });
    stripe.settleRefund(first?.stripe_refund_id as string, 'fail');
    await waitFor(async () => (await recordedRefunds(payments, payment.id))[0]?.status === 'failed');
    expect(await paymentRow(payment.id)).toMatchObject({ status: 'succeeded', amount_refunded: 0 });
    expect(refundedEvents(order.id)).toEqual([]);
    const stuck = await api(payments)
      .get('/api/payments/admin/stuck')
      .set('Authorization', await admin())
      .expect(200);
    expect(stuck.body.refundsFailed.count).toBeGreaterThanOrEqual(1);

    // Asked again once the pause after the failure is over, under a new key.
    await waitFor(async () => {
      await sweep(payments);
      return (await recordedRefunds(payments, payment.id)).length === 2;
    });
    const [, second] = await recordedRefunds(payments, payment.id);
    expect(second).toMatchObject({ status: 'pending', amount: 4100, origin: 'order_cancelled' });
    stripe.settleRefund(second?.stripe_refund_id as string, 'succeed');
    await payments.recorder.waitFor('payments.refunded', (data) => data.orderId === order.id);
    expect(await paymentRow(payment.id)).toMatchObject({ status: 'refunded', amount_refunded: 4100 });
    await sweep(payments);
    expect(refundedEvents(order.id).map((event) => [event.data.amount, event.data.amountLeft])).toEqual([
      [4100, 0],
    ]);
    expect(keptCharges(stripe).filter((entry) => entry.payment_intent === payment.stripeId)).toEqual([]);
  });

  it("gives the money back to the payment when Stripe fails a refund it had said succeeded (Stripe's refund-failure card)", async () => {
    const { payments } = running;
    const { order, payment } = await paidOrder('expired-card', 4200, 'pm_card_refundFail');
    await cancelOrder(payments, order);
    await waitFor(async () => (await recordedRefunds(payments, payment.id))[0]?.status === 'failed');
    expect(await paymentRow(payment.id)).toMatchObject({ status: 'succeeded', amount_refunded: 0 });
    const [failed] = await recordedRefunds(payments, payment.id);
    expect(failed?.failure_reason).toBe('expired_or_canceled_card');
  });

  it('finds a refund made in the Dashboard whose webhook was lost, rather than failing on charge_already_refunded', async () => {
    const { payments, stripe } = running;
    const { order, payment } = await paidOrder('dashboard', 4300);
    stripe.webhooks.pause();
    await sdk().refunds.create({ payment_intent: payment.stripeId });
    await stripe.webhooks.configure({ url: null });
    stripe.webhooks.flush();
    stripe.webhooks.configure({ url: `${payments.url}/api/payments/webhooks/stripe` });
    await cancelOrder(payments, order);
    await waitFor(async () => (await paymentRow(payment.id)).status === 'refunded');
    // Ours was refused (nothing was left at Stripe) and the Dashboard's was read instead.
    const refunds = await waitFor(async () => {
      const all = await recordedRefunds(payments, payment.id);
      return all.every((refund) => refund.status !== 'requested' && refund.status !== 'pending') && all;
    });
    expect(refunds.map((refund) => [refund.origin, refund.status])).toEqual([
      ['order_cancelled', 'canceled'],
      ['stripe', 'succeeded'],
    ]);
    expect(refundedEvents(order.id)).toHaveLength(1);
    expect(payments.recorder.recorded.filter((event) => event.subject.startsWith('dlq.'))).toEqual([]);
  });

  it('applies a refund whose webhook comes before the payment it returns, and keeps the event until it can', async () => {
    const { payments, stripe } = running;
    const order = await replicateOrder(payments, 'early-refund', 4400);
    // Paid and refunded at Stripe, our service not told yet: its webhooks are held, then sent newest first.
    stripe.webhooks.pause();
    const intent = await sdk().paymentIntents.create({
      amount: 4400,
      currency: 'usd',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { orderId: order.id, userId: 'early-refund' },
    });
    await payments.db
      .insertInto('payment_attempts')
      .values({
        id: randomUUID(),
        order_id: order.id,
        user_id: 'early-refund',
        payment_method: 'pm_card_visa',
        status: 'pending',
        amount: 4400,
        currency: 'usd',
        stripe_payment_intent_id: intent.id,
        stripe_charge_id: null,
        error_code: null,
        decline_code: null,
        error_message: null,
        locked_until: new Date(Date.now() + 60_000),
      })
      .execute();
    await sdk().paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    await sdk().refunds.create({ payment_intent: intent.id, amount: 1000 });
    stripe.webhooks.configure({ outOfOrder: true, duplicate: true });
    stripe.webhooks.flush();
    const payment = await waitFor(() =>
      payments.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirst(),
    );
    await waitFor(async () => (await paymentRow(payment.id)).amount_refunded === 1000);
    await waitFor(() => refundedEvents(order.id).length === 1);
    expect(
      payments.recorder.events('payments.created').filter((event) => event.data.orderId === order.id),
    ).toHaveLength(1);
    expect(refundedEvents(order.id)[0]?.data).toMatchObject({ amount: 1000, amountLeft: 3400 });
    // Every delivery was answered 2xx in the end: none is left for Stripe to retry.
    await waitFor(() =>
      stripe.webhooks
        .deliveries()
        .filter((delivery) => delivery.event_type.startsWith('refund.'))
        .some((delivery) => delivery.status === 200),
    );
  });

  it("asked by an operator needs an Idempotency-Key, takes any reason, and is made once for a key's retries", async () => {
    const { payments, stripe } = running;
    const { payment } = await paidOrder('kind-words', 4500);
    const refund = (key?: string, body: object = { amount: 500, reason: 'お詫び 🙏 for the wait' }) => {
      const request = api(payments).post(`/api/payments/admin/payments/${payment.id}/refunds`);
      return admin().then((bearer) => {
        request.set('Authorization', bearer);
        if (key) request.set('Idempotency-Key', key);
        return request.send(body);
      });
    };
    const keyless = await refund();
    expect(keyless.status).toBe(400);
    expect(keyless.body.errors[0].field).toBe('idempotency-key');
    const key = `${'k'.repeat(250)}-1`;
    const first = await refund(key);
    expect(first.status).toBe(201);
    expect(first.body.refund).toMatchObject({
      amount: 500,
      status: 'succeeded',
      reason: 'お詫び 🙏 for the wait',
    });
    const retry = await refund(key);
    expect(retry.body.refund.id).toBe(first.body.refund.id);
    const charge = stripe.ledger().entries.find((entry) => entry.payment_intent === payment.stripeId);
    expect(charge?.refunds.map((entry) => entry.amount)).toEqual([500]);
  });

  it('that Stripe fails with a 5xx is not a failed payment: the attempt stays paid and the refund is sent again', async () => {
    const { payments, stripe } = running;
    const { order, payment } = await paidOrder('down-at-refund', 4600);
    stripe.setFailures({ mode: 'error', rate: 1 });
    await cancelOrder(payments, order);
    const [requested] = await waitFor(async () => {
      const refunds = await recordedRefunds(payments, payment.id);
      return refunds[0]?.key_generation === 1 && refunds;
    });
    expect(requested?.status).toBe('requested');
    const attempts = await payments.db
      .selectFrom('payment_attempts')
      .select('status')
      .where('order_id', '=', order.id)
      .execute();
    expect(attempts).toEqual([{ status: 'succeeded' }]);
    stripe.setFailures({ mode: 'none' });
    await sweep(payments);
    expect(await paymentRow(payment.id)).toMatchObject({ status: 'refunded', amount_refunded: 4600 });
    expect(refundedEvents(order.id)).toHaveLength(1);
  });

  it('ignores a PaymentIntent that is not ours, answering its webhook 200', async () => {
    const { payments, stripe } = running;
    const since = Date.now();
    const foreign = await sdk().paymentIntents.create({
      amount: 700,
      currency: 'usd',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    await sdk().paymentIntents.confirm(foreign.id, { payment_method: 'pm_card_visa' });
    await waitFor(() =>
      stripe.webhooks
        .deliveries()
        .some(
          (delivery) =>
            delivery.event_type === 'payment_intent.succeeded' &&
            delivery.status === 200 &&
            delivery.event_id !== '',
        ),
    );
    const mirrored = await payments.db
      .selectFrom('stripe_payment_intents')
      .select('id')
      .where('id', '=', foreign.id)
      .execute();
    expect(mirrored).toEqual([]);
    const failedSince = stripe.webhooks
      .deliveries()
      .filter((delivery) => delivery.attempted_at_ms >= since && (delivery.status ?? 0) >= 500);
    expect(failedSince).toEqual([]);
  });

  it('credits a payment to the attempt that made it, not to an older one still waiting on 3-D Secure', async () => {
    const { payments } = running;
    const order = await replicateOrder(payments, 'second-card', 4700);
    const challenged = await pay(
      payments,
      'second-card',
      { orderId: order.id, paymentMethod: 'pm_card_authenticationRequired' },
      { status: 202 },
    );
    const paid = await pay(
      payments,
      'second-card',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    const attempts = await payments.db
      .selectFrom('payment_attempts')
      .select(['id', 'status', 'error_code'])
      .where('order_id', '=', order.id)
      .orderBy('created_at')
      .execute();
    expect(attempts).toEqual([
      { id: challenged.body.attempt.id, status: 'canceled', error_code: 'superseded' },
      { id: expect.any(String), status: 'succeeded', error_code: null },
    ]);
    expect((await paymentRow(paid.body.id)).attempt_id).toBe(attempts[1]?.id);
  });

  it('keeps its status and no money is counted twice when a retried refund is refused as already refunded', async () => {
    const { payments } = running;
    const { order, payment } = await paidOrder('twice', 4800);
    await sdk()
      .refunds.create({ payment_intent: payment.stripeId }, { idempotencyKey: randomUUID() })
      .catch((error: unknown) => {
        if (!(error instanceof Stripe.errors.StripeError)) throw error;
      });
    await cancelOrder(payments, order);
    await waitFor(async () => (await paymentRow(payment.id)).status === 'refunded');
    await sweep(payments);
    expect(await paymentRow(payment.id)).toMatchObject({ amount_refunded: 4800 });
  });
});
