import { DependencyUnavailableError } from '@ticketing/bus';
import Stripe from 'stripe';
import { crashPoint } from '../crash-points';
import { isStripeDown, isStripeFailure } from '../stripe/stripe-failures';
import { cancelIntent } from '../stripe/stripe-requests';
import type { AttemptRow } from './attempt';
import { DEFAULT_ATTEMPT_HOLD_SECONDS, whileHolding } from './attempt-hold';
import { outcomeOf, type AttemptOutcome } from './attempt-outcome';
import { orderIntentId } from './order-intent';
import { unpayableReason } from './order-replica';
import { observeIntent, refuseConfirmation, withdrawAttempt, type PaymentWork } from './payment-triggers';

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
export async function processAttempt(context: PaymentWork, attempt: AttemptRow): Promise<AttemptOutcome> {
  const holdSeconds = context.attemptHoldSeconds ?? DEFAULT_ATTEMPT_HOLD_SECONDS;
  return whileHolding(context.db, attempt.id, holdSeconds, () => charge(context, attempt));
}

async function charge(context: PaymentWork, attempt: AttemptRow): Promise<AttemptOutcome> {
  const { db, stripe, logger } = context;
  let intentId = attempt.stripe_payment_intent_id;
  try {
    if (!intentId) {
      const refusal = await orderRefusal(context, attempt);
      if (refusal) return await withdraw(context, attempt, undefined, refusal);
      intentId = (await orderIntentId(db, attempt.order_id)) ?? (await createIntent(context, attempt));
      crashPoint('intent-created');
      await db
        .updateTable('payment_attempts')
        .set({ stripe_payment_intent_id: intentId })
        .where('id', '=', attempt.id)
        .execute();
    }
    // Again, right before the charge: the order may have been cancelled while the intent was being made.
    crashPoint('intent-recorded');
    const refusal = await orderRefusal(context, attempt);
    if (refusal) return await withdraw(context, attempt, intentId, refusal);
    const confirmed = await stripe.paymentIntents.confirm(
      intentId,
      paymentMethodParams(attempt.payment_method),
      {
        idempotencyKey: stripeKey(attempt, 'confirm'),
      },
    );
    crashPoint('charge-confirmed');
    await observeIntent(context, confirmed, attempt.id);
    crashPoint('payment-recorded');
    return await outcomeOf(db, attempt.id, confirmed.client_secret);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const declined = error.payment_intent;
      if (declined) await observeIntent(context, declined, attempt.id);
      // Declined without the intent to show for it: the card error itself is the outcome.
      await refuseConfirmation(context, attempt, {
        code: error.code ?? 'card_declined',
        declineCode: error.decline_code ?? null,
        message: error.message,
      });
      return outcomeOf(db, attempt.id);
    }
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'payment_intent_unexpected_state' &&
      intentId
    ) {
      // The intent was settled by something else: this attempt's own earlier run (whose answer was lost),
      // a 3-D Secure attempt completed meanwhile, or a cancellation.
      return withdraw(context, attempt, intentId, error.message, error.payment_intent);
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
      return outcomeOf(db, attempt.id);
    }
    if (error instanceof Stripe.errors.StripeError) {
      await refuseConfirmation(context, attempt, {
        code: error.code ?? error.type,
        declineCode: null,
        message: error.message,
      });
      return outcomeOf(db, attempt.id);
    }
    throw error;
  }
}

/** Why the attempt's order must not be charged now, or undefined when it may. */
async function orderRefusal(context: PaymentWork, attempt: AttemptRow): Promise<string | undefined> {
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
  context: PaymentWork,
  attempt: AttemptRow,
  intentId: string | undefined,
  reason: string,
  known?: Stripe.PaymentIntent,
): Promise<AttemptOutcome> {
  const code = known ? 'payment_intent_unexpected_state' : 'order_not_payable';
  if (intentId) {
    const intent =
      known?.status === 'succeeded' || known?.status === 'canceled'
        ? known
        : await cancelIntent(context.stripe, intentId);
    // A success goes to the attempt it belongs to; a cancelled intent closes the attempts still open on it.
    if (intent.status !== 'succeeded') await withdrawAttempt(context, attempt, code, reason);
    await observeIntent(context, intent);
  }
  await withdrawAttempt(context, attempt, code, reason);
  return outcomeOf(context.db, attempt.id);
}

async function createIntent(context: PaymentWork, attempt: AttemptRow): Promise<string> {
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
