import { randomUUID } from 'node:crypto';
import { enqueue, type Logger } from '@ticketing/common';
import { sql, type Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { PaymentsDatabase } from '../database/schema';
import { inTransaction } from './in-transaction';
import type { PaymentRow } from './payment';
import { whenStripeIsDown } from '../stripe/stripe-failures';
import { mirrorRefund } from './stripe-mirror';

export interface RefundRequest {
  /** Why the money goes back; also what makes the Stripe idempotency key, so one reason refunds once. */
  reason: string;
  /** Minor units; the whole remaining amount when omitted. */
  amount?: number;
  /**
   * Distinguishes deliberate repeated refunds (an admin's partial refunds) under the same reason. Null for
   * a refund of everything left, which cannot be repeated (Stripe refuses it once nothing is left) and so
   * needs no key of ours: a key would replay a failure Stripe kept under it to every retry.
   */
  requestKey?: string | null;
}

/**
 * Gives money back for a payment and publishes `payments.refunded`. Stripe is asked under an idempotency key
 * derived from the payment and the reason, and the refund is recorded under its Stripe id, so a retry or a
 * second path to the same refund (a listener and the sweep, say) neither refunds nor publishes twice.
 */
export async function refundPayment(
  db: Kysely<PaymentsDatabase>,
  stripe: Stripe,
  logger: Logger,
  payment: PaymentRow,
  { reason, amount, requestKey = 'once' }: RefundRequest,
): Promise<Stripe.Refund> {
  const refund = await stripe.refunds.create(
    {
      payment_intent: payment.stripe_payment_intent_id,
      ...(amount !== undefined && { amount }),
      metadata: { paymentId: payment.id, orderId: payment.order_id, reason },
    },
    requestKey === null ? {} : { idempotencyKey: `payment:${payment.id}:refund:${reason}:${requestKey}` },
  );
  await recordRefund(db, logger, payment, refund, reason);
  return refund;
}

/** Records a refund Stripe reports, once, with its event. */
export function recordRefund(
  db: Kysely<PaymentsDatabase>,
  logger: Logger,
  payment: PaymentRow,
  refund: Stripe.Refund,
  reason: string,
): Promise<void> {
  return inTransaction(db, async (trx) => {
    await mirrorRefund(trx, refund);
    const recorded = await trx
      .insertInto('refunds')
      .values({
        id: randomUUID(),
        payment_id: payment.id,
        stripe_refund_id: refund.id,
        amount: refund.amount,
        reason,
      })
      .onConflict((conflict) => conflict.column('stripe_refund_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!recorded) return;
    const updated = await trx
      .updateTable('payments')
      .set({
        amount_refunded: sql`amount_refunded + ${refund.amount}`,
        status: sql`case when amount_refunded + ${refund.amount} >= amount then 'refunded' else status end`,
        updated_at: sql`now()`,
      })
      .where('id', '=', payment.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueue(trx, 'payments.refunded', {
      id: recorded.id,
      orderId: updated.order_id,
      stripeRefundId: refund.id,
      amount: refund.amount,
      reason,
    });
    logger.info(
      { paymentId: payment.id, refundId: refund.id, amount: refund.amount, reason },
      'payment refunded',
    );
  });
}

/** Records refunds made at Stripe (its dashboard, or a refund whose answer was lost) not seen here yet. */
export async function reconcileRefunds(
  db: Kysely<PaymentsDatabase>,
  stripe: Stripe,
  logger: Logger,
  payment: PaymentRow,
): Promise<void> {
  const refunds = await stripe.refunds
    .list({ payment_intent: payment.stripe_payment_intent_id, limit: 100 })
    .catch(whenStripeIsDown);
  for (const refund of refunds.data) {
    await recordRefund(
      db,
      logger,
      payment,
      refund,
      refund.metadata?.reason ?? refund.reason ?? 'refunded_at_stripe',
    );
  }
}
