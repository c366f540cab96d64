import Stripe from 'stripe';
import type { OutcomeContext } from './attempt-outcome';
import { refundIfOrderCancelled } from './attempt-outcome';
import { reconcilePaymentIntent } from './reconcile-stripe-event';

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
  const mirrored = await db
    .selectFrom('stripe_payment_intents')
    .select(['id', 'status'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!mirrored || mirrored.status === 'canceled') return;
  let intent: Stripe.PaymentIntent;
  try {
    intent = await stripe.paymentIntents.cancel(
      mirrored.id,
      { cancellation_reason: 'abandoned' },
      { idempotencyKey: `order:${orderId}:cancel-payment-intent` },
    );
  } catch (error) {
    if (!(
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.code === 'payment_intent_unexpected_state'
    ))
      throw error;
    intent = await stripe.paymentIntents.retrieve(mirrored.id);
  }
  await reconcilePaymentIntent(context, intent);
}
