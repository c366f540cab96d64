import Stripe from 'stripe';
import type { OutcomeContext } from './attempt-outcome';
import { refundIfOrderCancelled } from './attempt-outcome';
import { orderIntentId } from './order-intent';
import { reconcilePaymentIntent } from './reconcile-stripe-event';
import { whenStripeIsDown } from '../stripe/stripe-failures';

/**
 * Makes sure a cancelled order keeps no money: a payment already taken is refunded, and an open
 * PaymentIntent is cancelled so that no attempt can still charge it. If the intent succeeded in the
 * meantime, that success is recorded and, the order being cancelled, refunded.
 */
export async function settleCancelledOrder(context: OutcomeContext, orderId: string): Promise<void> {
  const { db, stripe } = context;
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (payment) {
    await refundIfOrderCancelled(context, payment);
    return;
  }
  const intentId = await orderIntentId(db, orderId);
  if (intentId) await reconcilePaymentIntent(context, await cancelIntent(stripe, intentId));
}

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
