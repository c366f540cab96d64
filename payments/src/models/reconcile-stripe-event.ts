import type Stripe from 'stripe';
import { recordIntentOutcome, type OutcomeContext } from './attempt-outcome';
import { reconcileRefunds } from './refund-payment';
import { idOf, mirrorPaymentIntent } from './stripe-mirror';

/**
 * Applies what Stripe now says about a PaymentIntent to the attempt it belongs to. An intent's state can only
 * be pinned on an attempt waiting on Stripe (3-D Secure): a `pending` attempt is still being confirmed by its
 * request, and the intent may yet show a previous attempt's decline. Only a final state (succeeded,
 * canceled) settles a pending attempt too, since nothing can change it any more.
 */
export async function reconcilePaymentIntent(
  context: OutcomeContext,
  intent: Stripe.PaymentIntent,
): Promise<void> {
  const final = intent.status === 'succeeded' || intent.status === 'canceled';
  const open = await context.db
    .selectFrom('payment_attempts')
    .select('id')
    .where('stripe_payment_intent_id', '=', intent.id)
    .where('status', 'in', final ? ['requires_action', 'pending'] : ['requires_action'])
    .orderBy(({ eb }) => eb.case().when('status', '=', 'requires_action').then(0).else(1).end())
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  // Money Stripe took is recorded even when every attempt on the intent was closed meanwhile (one given up
  // while its charge was still in flight): it goes to the latest of them.
  const attempt =
    open ??
    (intent.status === 'succeeded'
      ? await context.db
          .selectFrom('payment_attempts')
          .select('id')
          .where('stripe_payment_intent_id', '=', intent.id)
          .orderBy('created_at', 'desc')
          .executeTakeFirst()
      : undefined);
  if (attempt) await recordIntentOutcome(context, attempt.id, intent);
  else await mirrorPaymentIntent(context.db, intent);
}

/** Records refunds made at Stripe (its dashboard, say) that this service has not seen yet. */
async function reconcileRefundsOf(context: OutcomeContext, paymentIntentId: string): Promise<void> {
  const payment = await context.db
    .selectFrom('payments')
    .selectAll()
    .where('stripe_payment_intent_id', '=', paymentIntentId)
    .executeTakeFirst();
  if (payment) await reconcileRefunds(context.db, context.stripe, context.logger, payment);
}

/**
 * A webhook is a hint, not the truth: events arrive late, twice and out of order, so the object is read
 * again from Stripe and whatever it says now is applied. Applying it twice changes nothing.
 */
export async function reconcileStripeEvent(context: OutcomeContext, event: Stripe.Event): Promise<void> {
  if (event.type.startsWith('payment_intent.')) {
    const { id } = event.data.object as Stripe.PaymentIntent;
    await reconcilePaymentIntent(context, await context.stripe.paymentIntents.retrieve(id));
  } else if (event.type === 'charge.refunded' || event.type === 'refund.created') {
    const object = event.data.object as Stripe.Charge | Stripe.Refund;
    const paymentIntentId = idOf(object.payment_intent);
    if (paymentIntentId) await reconcileRefundsOf(context, paymentIntentId);
  }
}
