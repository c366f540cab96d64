import { randomUUID } from 'node:crypto';
import { enqueue, OrderStatus, type Logger } from '@ticketing/common';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type Stripe from 'stripe';
import type { PaymentAttemptsTable, PaymentsDatabase } from '../database/schema';
import type { AttemptRow } from './attempt';
import { inTransaction } from './in-transaction';
import type { PaymentRow } from './payment';
import { refundPayment } from './refund-payment';
import { chargeIdOf, mirrorPaymentIntent } from './stripe-mirror';

export type AttemptOutcome =
  | { kind: 'succeeded'; attempt: AttemptRow; payment: PaymentRow }
  | { kind: 'requires_action'; attempt: AttemptRow; clientSecret: string | null }
  | { kind: 'failed'; attempt: AttemptRow }
  | { kind: 'pending'; attempt: AttemptRow }
  | { kind: 'canceled'; attempt: AttemptRow };

const OPEN: AttemptRow['status'][] = ['pending', 'requires_action'];

/** Settles an open attempt; undefined when another path settled it first. */
function settle(
  trx: Transaction<PaymentsDatabase>,
  attemptId: string,
  change: Updateable<PaymentAttemptsTable>,
) {
  return trx
    .updateTable('payment_attempts')
    .set({ ...change, updated_at: sql`now()` })
    .where('id', '=', attemptId)
    .where('status', 'in', OPEN)
    .returningAll()
    .executeTakeFirst();
}

async function current(trx: Transaction<PaymentsDatabase>, attemptId: string): Promise<AttemptRow> {
  return trx.selectFrom('payment_attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
}

export interface OutcomeContext {
  db: Kysely<PaymentsDatabase>;
  stripe: Stripe;
  logger: Logger;
}

/**
 * Brings an attempt in line with the PaymentIntent Stripe just returned. Whichever path gets there first
 * (the request, a webhook, the sweep) records the outcome and its event; the others find it settled.
 * A charge that lands on an order cancelled in the meantime is refunded at once.
 */
export async function recordIntentOutcome(
  { db, stripe, logger }: OutcomeContext,
  attemptId: string,
  intent: Stripe.PaymentIntent,
): Promise<AttemptOutcome> {
  const outcome = await inTransaction(db, async (trx): Promise<AttemptOutcome> => {
    await mirrorPaymentIntent(trx, intent);
    switch (intent.status) {
      case 'succeeded': {
        const attempt =
          (await settle(trx, attemptId, { status: 'succeeded', stripe_charge_id: chargeIdOf(intent) })) ??
          (await current(trx, attemptId));
        const payment = await recordPayment(trx, attempt, intent);
        return { kind: 'succeeded', attempt, payment };
      }
      case 'requires_action': {
        const attempt = await trx
          .updateTable('payment_attempts')
          .set({ status: 'requires_action', updated_at: sql`now()` })
          .where('id', '=', attemptId)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        return {
          kind: 'requires_action',
          attempt: attempt ?? (await current(trx, attemptId)),
          clientSecret: intent.client_secret,
        };
      }
      case 'requires_payment_method': {
        const error = intent.last_payment_error;
        if (!error) return { kind: 'pending', attempt: await current(trx, attemptId) };
        const failure = {
          code: error.code ?? 'payment_failed',
          declineCode: error.decline_code,
          message: error.message ?? 'The payment failed',
        };
        return { kind: 'failed', attempt: await recordFailure(trx, attemptId, failure, chargeIdOf(intent)) };
      }
      case 'canceled': {
        const attempt =
          (await settle(trx, attemptId, { status: 'canceled' })) ?? (await current(trx, attemptId));
        return { kind: 'canceled', attempt };
      }
      default:
        // processing, requires_confirmation: Stripe has not decided; a webhook or the sweep will settle it.
        return { kind: 'pending', attempt: await current(trx, attemptId) };
    }
  });
  if (
    outcome.kind === 'succeeded' &&
    (await refundIfOrderCancelled({ db, stripe, logger }, outcome.payment))
  ) {
    const refunded = await db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', outcome.payment.id)
      .executeTakeFirstOrThrow();
    return { ...outcome, payment: refunded };
  }
  return outcome;
}

/** The payment for a succeeded intent, recorded and published once: one successful payment per order. */
async function recordPayment(
  trx: Transaction<PaymentsDatabase>,
  attempt: AttemptRow,
  intent: Stripe.PaymentIntent,
): Promise<PaymentRow> {
  const inserted = await trx
    .insertInto('payments')
    .values({
      id: randomUUID(),
      order_id: attempt.order_id,
      attempt_id: attempt.id,
      stripe_payment_intent_id: intent.id,
      stripe_charge_id: chargeIdOf(intent),
      amount: intent.amount_received || intent.amount,
      currency: intent.currency,
      status: 'succeeded',
    })
    .onConflict((conflict) => conflict.column('order_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted)
    return trx
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', attempt.order_id)
      .executeTakeFirstOrThrow();
  await enqueue(trx, 'payments.created', {
    id: inserted.id,
    orderId: inserted.order_id,
    stripeId: intent.id,
    amount: inserted.amount,
    currency: inserted.currency,
  });
  return inserted;
}

export interface PaymentFailure {
  code: string;
  declineCode?: string | null;
  message: string;
}

/** Marks an open attempt failed with Stripe's reasons and publishes `payments.failed`, once. */
export async function recordFailure(
  trx: Transaction<PaymentsDatabase>,
  attemptId: string,
  failure: PaymentFailure,
  chargeId: string | null = null,
): Promise<AttemptRow> {
  const attempt = await settle(trx, attemptId, {
    status: 'failed',
    error_code: failure.code,
    decline_code: failure.declineCode ?? null,
    error_message: failure.message,
    stripe_charge_id: chargeId,
  });
  if (!attempt) return current(trx, attemptId);
  await enqueue(trx, 'payments.failed', {
    attemptId: attempt.id,
    orderId: attempt.order_id,
    code: failure.code,
    ...(failure.declineCode && { declineCode: failure.declineCode }),
    message: failure.message,
  });
  return attempt;
}

/** Closes an open attempt that Stripe refused to confirm because the intent was already settled. */
export async function recordRefusal(
  trx: Transaction<PaymentsDatabase>,
  attemptId: string,
  message: string,
): Promise<AttemptRow> {
  const attempt = await settle(trx, attemptId, {
    status: 'canceled',
    error_code: 'payment_intent_unexpected_state',
    error_message: message,
  });
  return attempt ?? current(trx, attemptId);
}

/** Money for a cancelled order goes back: the buyer no longer gets the ticket. */
export async function refundIfOrderCancelled(context: OutcomeContext, payment: PaymentRow): Promise<boolean> {
  if (payment.status !== 'succeeded') return false;
  const order = await context.db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', payment.order_id)
    .executeTakeFirst();
  if (order?.status !== OrderStatus.Cancelled) return false;
  await refundPayment(context.db, context.stripe, context.logger, payment, { reason: 'order_cancelled' });
  return true;
}
