import Stripe from 'stripe';
import { isStripeFailure, isUnanswered } from '../stripe/stripe-failures';
import type { AttemptRow } from './attempt';
import { DEFAULT_ATTEMPT_HOLD_SECONDS, whileHolding } from './attempt-hold';
import {
  recordFailure,
  recordIntentOutcome,
  recordWithdrawal,
  type AttemptOutcome,
  type OutcomeContext,
} from './attempt-outcome';
import { inTransaction } from './in-transaction';
import { orderIntentId } from './order-intent';
import { unpayableReason } from './order-replica';
import { reconcilePaymentIntent } from './reconcile-stripe-event';

/** How the client's payment method is handed to Stripe: a PaymentMethod id, or a card token to make one from. */
function paymentMethodParams(paymentMethod: string): Stripe.PaymentIntentConfirmParams {
  return paymentMethod.startsWith('tok_')
    ? {
        payment_method_data: {
          type: 'card',
          card: { token: paymentMethod },
        } as Stripe.PaymentIntentConfirmParams.PaymentMethodData,
      }
    : { payment_method: paymentMethod };
}

/** An intent in one of these states has charged, is charging, or waits on the buyer: it is not confirmed again. */
const UNDER_WAY: Stripe.PaymentIntent.Status[] = ['succeeded', 'processing', 'requires_action', 'canceled'];

/** The attempt's idempotency key for one Stripe request; see `key_generation`. */
function stripeKey(attempt: AttemptRow, request: 'payment-intent' | 'confirm'): string {
  return `attempt:${attempt.id}:${request}:${attempt.key_generation}`;
}

/**
 * Charges an attempt the caller holds (see `attempt-hold`), and is safe to run again for it: by the request,
 * a background run, the buyer's retry or the sweep. The order has one PaymentIntent, made by its first
 * attempt; each attempt confirms it with its own payment method. Every Stripe request goes under a key of
 * the attempt, so a run after a crash gets Stripe's first answer back instead of charging again, and a
 * PaymentIntent captures at most once whatever happens. Before the charge goes to Stripe the order is
 * checked again: an order cancelled, paid or past its deadline meanwhile is not charged.
 */
export async function processAttempt(context: OutcomeContext, attempt: AttemptRow): Promise<AttemptOutcome> {
  const holdSeconds = context.attemptHoldSeconds ?? DEFAULT_ATTEMPT_HOLD_SECONDS;
  return whileHolding(context.db, attempt.id, holdSeconds, () => charge(context, attempt));
}

async function charge(context: OutcomeContext, attempt: AttemptRow): Promise<AttemptOutcome> {
  const { db, stripe, logger } = context;
  let intentId = attempt.stripe_payment_intent_id;
  try {
    const refusal = await orderRefusal(context, attempt);
    if (refusal) return await withdraw(context, attempt, refusal);
    if (!intentId) {
      intentId = (await orderIntentId(db, attempt.order_id)) ?? (await createIntent(context, attempt));
      await db
        .updateTable('payment_attempts')
        .set({ stripe_payment_intent_id: intentId })
        .where('id', '=', attempt.id)
        .execute();
    }
    const confirmed = await stripe.paymentIntents.confirm(
      intentId,
      paymentMethodParams(attempt.payment_method),
      {
        idempotencyKey: stripeKey(attempt, 'confirm'),
      },
    );
    return await recordIntentOutcome(context, attempt.id, confirmed);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const declined = error.payment_intent;
      if (declined) return recordIntentOutcome(context, attempt.id, declined);
      const failure = {
        code: error.code ?? 'card_declined',
        declineCode: error.decline_code,
        message: error.message,
      };
      return {
        kind: 'failed',
        attempt: await inTransaction(db, (trx) => recordFailure(trx, attempt.id, failure)),
      };
    }
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'payment_intent_unexpected_state' &&
      intentId
    ) {
      // Paid by another attempt (a 3-D Secure one, completed meanwhile) or cancelled with its order: this
      // attempt charged nothing. The intent's state goes to the attempt it belongs to.
      const intent = error.payment_intent ?? (await stripe.paymentIntents.retrieve(intentId));
      const refused = await inTransaction(db, (trx) =>
        recordWithdrawal(trx, attempt.id, 'payment_intent_unexpected_state', error.message),
      );
      await reconcilePaymentIntent(context, intent);
      const payment = await db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', attempt.order_id)
        .executeTakeFirst();
      return payment
        ? { kind: 'succeeded', attempt: refused, payment }
        : { kind: 'canceled', attempt: refused };
    }
    if (isUnanswered(error) || isStripeFailure(error)) {
      // Kept under the key by Stripe, a failure would be replayed to every retry: the next run asks anew.
      if (isStripeFailure(error)) {
        await db
          .updateTable('payment_attempts')
          .set((eb) => ({ key_generation: eb('key_generation', '+', 1) }))
          .where('id', '=', attempt.id)
          .execute();
      }
      logger.warn(
        { err: error, attemptId: attempt.id },
        'Stripe did not settle the attempt; it will be resumed',
      );
      const pending = await db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('id', '=', attempt.id)
        .executeTakeFirstOrThrow();
      return { kind: 'pending', attempt: pending };
    }
    if (error instanceof Stripe.errors.StripeError) {
      const failure = { code: error.code ?? error.type, message: error.message };
      return {
        kind: 'failed',
        attempt: await inTransaction(db, (trx) => recordFailure(trx, attempt.id, failure)),
      };
    }
    throw error;
  }
}

/** Why the attempt's order must not be charged now, or undefined when it may. */
async function orderRefusal(context: OutcomeContext, attempt: AttemptRow): Promise<string | undefined> {
  const order = await context.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', attempt.order_id)
    .executeTakeFirstOrThrow();
  return unpayableReason(order, new Date());
}

/**
 * Gives up an attempt whose order can no longer be paid. A run before a crash may have got its charge to
 * Stripe already: what the intent says then is recorded (a success is kept or refunded as the order's state
 * requires); an intent that is not under way has charged nothing, and the attempt ends without a charge.
 */
async function withdraw(
  context: OutcomeContext,
  attempt: AttemptRow,
  reason: string,
): Promise<AttemptOutcome> {
  if (attempt.stripe_payment_intent_id) {
    const intent = await context.stripe.paymentIntents.retrieve(attempt.stripe_payment_intent_id);
    if (UNDER_WAY.includes(intent.status)) return recordIntentOutcome(context, attempt.id, intent);
  }
  const withdrawn = await inTransaction(context.db, (trx) =>
    recordWithdrawal(trx, attempt.id, 'order_not_payable', reason),
  );
  return { kind: 'canceled', attempt: withdrawn };
}

async function createIntent(context: OutcomeContext, attempt: AttemptRow): Promise<string> {
  const intent = await context.stripe.paymentIntents.create(
    {
      amount: attempt.amount,
      currency: attempt.currency,
      // Cards confirmed on the server: no payment method that would redirect the buyer away.
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { orderId: attempt.order_id, userId: attempt.user_id },
    },
    { idempotencyKey: stripeKey(attempt, 'payment-intent') },
  );
  return intent.id;
}
