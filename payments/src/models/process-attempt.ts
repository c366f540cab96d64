import { DependencyUnavailableError } from '@ticketing/common';
import Stripe from 'stripe';
import { isStripeDown, isStripeFailure } from '../stripe/stripe-failures';
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
import { cancelIntent } from './settle-cancelled-order';

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

/** The attempt's idempotency key for one Stripe request; see `key_generation`. */
function stripeKey(attempt: AttemptRow, request: 'payment-intent' | 'confirm'): string {
  return `attempt:${attempt.id}:${request}:${attempt.key_generation}`;
}

/**
 * Charges an attempt the caller holds (see `attempt-hold`), and is safe to run again for it: by the request,
 * a background run, the buyer's retry or the sweep. The order has one PaymentIntent, made by its first
 * attempt; each attempt confirms it with its own payment method. Every Stripe request goes under a key of
 * the attempt, so a run after a crash gets Stripe's first answer back instead of charging again, and a
 * PaymentIntent captures at most once whatever happens. Just before the charge goes to Stripe the order is
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
    if (!intentId) {
      const refusal = await orderRefusal(context, attempt);
      if (refusal) return await withdraw(context, attempt.id, undefined, refusal);
      intentId = (await orderIntentId(db, attempt.order_id)) ?? (await createIntent(context, attempt));
      await db
        .updateTable('payment_attempts')
        .set({ stripe_payment_intent_id: intentId })
        .where('id', '=', attempt.id)
        .execute();
    }
    // Again, right before the charge: the order may have been cancelled while the intent was being made.
    const refusal = await orderRefusal(context, attempt);
    if (refusal) return await withdraw(context, attempt.id, intentId, refusal);
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
      // The intent was settled by something else: this attempt's own earlier run (whose answer was lost),
      // a 3-D Secure attempt completed meanwhile, or a cancellation.
      return withdraw(context, attempt.id, intentId, error.message, error.payment_intent);
    }
    if (isStripeDown(error) || error instanceof DependencyUnavailableError) {
      // Kept under the key by Stripe, a 5xx would be replayed to every retry: the next run asks anew.
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
  return unpayableReason(order, new Date(), attempt.created_at);
}

/**
 * Ends an attempt that will not charge: its order can no longer be paid, or its intent was settled by
 * something else. Whatever the intent says is recorded first, on the attempt it belongs to: a success that
 * a run before a crash got, or that another attempt got, is kept (or refunded, as the order's state
 * requires). An intent still open is cancelled first, so that no charge of a run cut off in flight can
 * land after this attempt has been given up.
 */
async function withdraw(
  context: OutcomeContext,
  attemptId: string,
  intentId: string | undefined,
  reason: string,
  known?: Stripe.PaymentIntent,
): Promise<AttemptOutcome> {
  const { db, stripe } = context;
  const code = known ? 'payment_intent_unexpected_state' : 'order_not_payable';
  const withdrawOwn = () => inTransaction(db, (trx) => recordWithdrawal(trx, attemptId, code, reason));
  const paid = intentId
    ? await db
        .selectFrom('payments')
        .select('id')
        .where('stripe_payment_intent_id', '=', intentId)
        .executeTakeFirst()
    : undefined;
  if (intentId && !paid) {
    const intent =
      known?.status === 'succeeded' || known?.status === 'canceled'
        ? known
        : await cancelIntent(stripe, intentId);
    // A success goes to the attempt it belongs to; a cancellation closes this attempt, then any other.
    if (intent.status !== 'succeeded') await withdrawOwn();
    await reconcilePaymentIntent(context, intent);
  }
  const withdrawn = await withdrawOwn();
  const payment = intentId
    ? await db
        .selectFrom('payments')
        .selectAll()
        .where('stripe_payment_intent_id', '=', intentId)
        .executeTakeFirst()
    : undefined;
  if (payment) return { kind: 'succeeded', attempt: withdrawn, payment };
  return withdrawn.status === 'canceled' || withdrawn.status === 'failed'
    ? { kind: withdrawn.status, attempt: withdrawn }
    : { kind: 'pending', attempt: withdrawn };
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
