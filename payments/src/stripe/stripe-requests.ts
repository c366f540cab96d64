import Stripe from 'stripe';
import { whenStripeIsDown } from './stripe-failures';

/**
 * Cancels a PaymentIntent so that nothing can charge it any more, and returns it as it ends: canceled, or
 * succeeded if a charge got there first. Cancelling twice changes nothing, so no idempotency key of ours is
 * needed (one would replay a failure Stripe kept under it to every retry).
 */
export async function cancelIntent(stripe: Stripe, intentId: string): Promise<Stripe.PaymentIntent> {
  try {
    return await stripe.paymentIntents.cancel(intentId, { cancellation_reason: 'abandoned' });
  } catch (error) {
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'payment_intent_unexpected_state'
    ) {
      return stripe.paymentIntents.retrieve(intentId).catch(whenStripeIsDown);
    }
    return whenStripeIsDown(error);
  }
}

/** Refunds asked for by us carry the local refund's id, so Stripe's refund can always be matched to it. */
export interface RefundRequest {
  refundId: string;
  orderId: string;
  intentId: string;
  amount: number;
  reason: string;
  /** See `RefundState.keyGeneration`. */
  keyGeneration: number;
}

/**
 * Asks Stripe for a refund under a key made of the local refund's id: a retry after a crash or a lost
 * answer gets Stripe's first answer back instead of refunding again. Short, ASCII and free of the
 * operator's text, whatever the reason says.
 */
export function createRefund(stripe: Stripe, request: RefundRequest): Promise<Stripe.Refund> {
  return stripe.refunds.create(
    {
      payment_intent: request.intentId,
      amount: request.amount,
      metadata: { refundId: request.refundId, orderId: request.orderId, reason: request.reason },
    },
    { idempotencyKey: `refund:${request.refundId}:${request.keyGeneration}` },
  );
}
