import Stripe from 'stripe';
import type { AttemptRow } from './attempt';
import {
  recordFailure,
  recordIntentOutcome,
  recordRefusal,
  type AttemptOutcome,
  type OutcomeContext,
} from './attempt-outcome';
import { inTransaction } from './in-transaction';
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

/** Stripe failed to answer (network, timeout, its own 5xx): the outcome is unknown, not negative. */
function isUnanswered(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError
  );
}

/**
 * Charges an attempt: the order's one PaymentIntent (created under a key derived from the order, so every
 * attempt and every replica gets the same one), confirmed under the attempt's own key. Safe to run again for
 * the same attempt, by the request, a background run or the sweep: Stripe replays the first answer instead
 * of charging again, and the outcome is recorded once.
 */
export async function processAttempt(context: OutcomeContext, attempt: AttemptRow): Promise<AttemptOutcome> {
  const { db, stripe, logger } = context;
  try {
    const intent = await stripe.paymentIntents.create(
      {
        amount: attempt.amount,
        currency: attempt.currency,
        // Cards confirmed on the server: no payment method that would redirect the buyer away.
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        metadata: { orderId: attempt.order_id, userId: attempt.user_id },
      },
      { idempotencyKey: `order:${attempt.order_id}:payment-intent` },
    );
    await db
      .updateTable('payment_attempts')
      .set({ stripe_payment_intent_id: intent.id })
      .where('id', '=', attempt.id)
      .execute();
    const confirmed = await stripe.paymentIntents.confirm(
      intent.id,
      paymentMethodParams(attempt.payment_method),
      {
        idempotencyKey: `attempt:${attempt.id}:confirm`,
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
      error.code === 'payment_intent_unexpected_state'
    ) {
      // Paid by another attempt (a 3-D Secure one, completed meanwhile) or cancelled with its order: this
      // attempt charged nothing. The intent's state goes to the attempt it belongs to.
      const intent =
        error.payment_intent ??
        (await stripe.paymentIntents.retrieve(attempt.stripe_payment_intent_id ?? ''));
      const refused = await inTransaction(db, (trx) => recordRefusal(trx, attempt.id, error.message));
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
    if (isUnanswered(error)) {
      logger.warn(
        { err: error, attemptId: attempt.id },
        'Stripe did not answer; the sweep will finish the attempt',
      );
      return { kind: 'pending', attempt };
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
