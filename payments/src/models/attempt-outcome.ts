import { randomUUID } from 'node:crypto';
import { enqueue, OrderStatus, type Logger } from '@ticketing/common';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import Stripe from 'stripe';
import { whenStripeIsDown } from '../stripe/stripe-failures';
import type { PaymentAttemptsTable, PaymentsDatabase } from '../database/schema';
import type { AttemptRow } from './attempt';
import { inTransaction } from './in-transaction';
import type { PaymentRow } from './payment';
import { lockOrder } from './order-replica';
import { expireIfSettled } from './payment-window';
import { reconcileRefunds, refundPayment } from './refund-payment';
import { chargeIdOf, mirrorPaymentIntent } from './stripe-mirror';

export type AttemptOutcome =
  | { kind: 'succeeded'; attempt: AttemptRow; payment: PaymentRow }
  | { kind: 'requires_action'; attempt: AttemptRow; clientSecret: string | null }
  | { kind: 'failed'; attempt: AttemptRow }
  | { kind: 'pending'; attempt: AttemptRow }
  | { kind: 'canceled'; attempt: AttemptRow };

const OPEN: AttemptRow['status'][] = ['pending', 'requires_action'];

/**
 * Settles an open attempt; undefined when another path settled it first. An attempt that ends without a
 * payment may be the last thing an order past its deadline waited for.
 */
async function settle(
  trx: Transaction<PaymentsDatabase>,
  attemptId: string,
  change: Updateable<PaymentAttemptsTable>,
): Promise<AttemptRow | undefined> {
  const settled = await trx
    .updateTable('payment_attempts')
    .set({ ...change, updated_at: sql`now()` })
    .where('id', '=', attemptId)
    .where('status', 'in', OPEN)
    .returningAll()
    .executeTakeFirst();
  if (settled && settled.status !== 'succeeded') {
    const order = await lockOrder(trx, settled.order_id);
    if (order) await expireIfSettled(trx, order);
  }
  return settled;
}

async function current(trx: Transaction<PaymentsDatabase>, attemptId: string): Promise<AttemptRow> {
  return trx.selectFrom('payment_attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
}

/**
 * Locks the order of an attempt before anything else of the transaction: see `lockOrder`. Returns the
 * attempt as it is now.
 */
async function lockAttemptOrder(trx: Transaction<PaymentsDatabase>, attemptId: string): Promise<AttemptRow> {
  const attempt = await current(trx, attemptId);
  await lockOrder(trx, attempt.order_id);
  return attempt;
}

export interface OutcomeContext {
  db: Kysely<PaymentsDatabase>;
  stripe: Stripe;
  logger: Logger;
  /** How long a worker's hold on an attempt lasts without renewal; see `attempt-hold`. */
  attemptHoldSeconds?: number;
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
    await lockAttemptOrder(trx, attemptId);
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
  // The attempt the money came through says so, even one given up while its charge was in flight.
  await trx
    .updateTable('payment_attempts')
    .set({ status: 'succeeded', stripe_charge_id: chargeIdOf(intent), updated_at: sql`now()` })
    .where('id', '=', attempt.id)
    .where('status', '!=', 'succeeded')
    .execute();
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
  await lockAttemptOrder(trx, attemptId);
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

/**
 * Closes an open attempt that charged nothing and never will: Stripe refused to confirm it because the
 * intent was already settled (`payment_intent_unexpected_state`), or it was withdrawn before it went to
 * Stripe because the order could no longer be paid (`order_not_payable`).
 */
export async function recordWithdrawal(
  trx: Transaction<PaymentsDatabase>,
  attemptId: string,
  code: 'payment_intent_unexpected_state' | 'order_not_payable',
  message: string,
): Promise<AttemptRow> {
  await lockAttemptOrder(trx, attemptId);
  const attempt = await settle(trx, attemptId, {
    status: 'canceled',
    error_code: code,
    error_message: message,
  });
  return attempt ?? current(trx, attemptId);
}

/**
 * Money for a cancelled order goes back: the buyer no longer gets the ticket. Everything left is refunded,
 * which cannot happen twice: if another path refunded it first, Stripe says so and that refund is recorded.
 */
export async function refundIfOrderCancelled(context: OutcomeContext, payment: PaymentRow): Promise<boolean> {
  if (payment.status !== 'succeeded') return false;
  const order = await context.db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', payment.order_id)
    .executeTakeFirst();
  if (order?.status !== OrderStatus.Cancelled) return false;
  const { db, stripe, logger } = context;
  try {
    await refundPayment(db, stripe, logger, payment, { reason: 'order_cancelled', requestKey: null });
  } catch (error) {
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'charge_already_refunded'
    ) {
      await reconcileRefunds(db, stripe, logger, payment);
    } else {
      whenStripeIsDown(error);
    }
  }
  return true;
}

/**
 * What an attempt has come to so far, from the records alone: the answer for a retry of the request that
 * made it, once that request's own answer is lost with its process.
 */
export async function recordedOutcome(
  db: Kysely<PaymentsDatabase>,
  attempt: AttemptRow,
): Promise<AttemptOutcome> {
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', attempt.order_id)
    .executeTakeFirst();
  switch (attempt.status) {
    case 'succeeded':
    case 'canceled':
      // A canceled attempt may have lost the order to another that paid it.
      return payment ? { kind: 'succeeded', attempt, payment } : { kind: 'canceled', attempt };
    case 'requires_action': {
      const intent = await db
        .selectFrom('stripe_payment_intents')
        .select('object')
        .where('id', '=', attempt.stripe_payment_intent_id ?? '')
        .executeTakeFirst();
      const clientSecret =
        (intent?.object as Partial<Stripe.PaymentIntent> | undefined)?.client_secret ?? null;
      return { kind: 'requires_action', attempt, clientSecret };
    }
    case 'failed':
      return { kind: 'failed', attempt };
    case 'pending':
      return { kind: 'pending', attempt };
  }
}
