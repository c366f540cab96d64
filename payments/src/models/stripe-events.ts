import type Stripe from 'stripe';
import { idOf } from '../lifecycle/stripe-snapshots';
import { whenStripeIsDown } from '../stripe/stripe-failures';
import { observeIntent, observeRefund, readRefunds, type PaymentWork } from './payment-triggers';

/**
 * A webhook is a hint, not the truth: events arrive late, twice and out of order, so the object is read
 * again from Stripe and what it says now goes to the payment lifecycle. Applying it twice changes nothing.
 * Event types not listed here carry nothing this service acts on.
 */
export async function applyStripeEvent(work: PaymentWork, event: Stripe.Event): Promise<void> {
  const { stripe } = work;
  if (event.type.startsWith('payment_intent.')) {
    const { id } = event.data.object as Stripe.PaymentIntent;
    await observeIntent(work, await stripe.paymentIntents.retrieve(id).catch(whenStripeIsDown));
  } else if (event.type.startsWith('refund.') || event.type === 'charge.refund.updated') {
    const { id } = event.data.object as Stripe.Refund;
    await observeRefund(work, await stripe.refunds.retrieve(id).catch(whenStripeIsDown));
  } else if (event.type === 'charge.refunded') {
    const intentId = idOf((event.data.object as Stripe.Charge).payment_intent);
    if (!intentId) return;
    const intent = await stripe.paymentIntents.retrieve(intentId).catch(whenStripeIsDown);
    // The payment first (its webhook may not have come yet), then every refund of it.
    await observeIntent(work, intent);
    if (intent.metadata?.orderId) await readRefunds(work, intent.metadata.orderId);
  }
}
