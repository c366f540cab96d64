import { BadRequestError } from '@ticketing/common';
import { Router } from 'express';
import type Stripe from 'stripe';
import { paymentWork, type PaymentsContext } from '../context';
import { applyStripeEvent } from '../models/stripe-events';

/** Stripe's own limit: a signature older than this is refused, so a captured request cannot be replayed. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Stripe's webhooks: the signature is checked on the raw bytes, the object re-read from Stripe and
 * reconciled, and only then is the event id stored, so that Stripe retries an event we failed to apply
 * and a redelivery of one we applied does nothing.
 */
export function stripeWebhookRouter(context: PaymentsContext): Router {
  const { db, config } = context;
  const work = paymentWork(context);
  const { stripe } = work;
  return Router().post('/api/payments/webhooks/stripe', async (req, res) => {
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(
        req.rawBody ?? '',
        req.get('Stripe-Signature') ?? '',
        config.STRIPE_WEBHOOK_SECRET,
        SIGNATURE_TOLERANCE_SECONDS,
      );
    } catch {
      throw new BadRequestError('Invalid Stripe signature');
    }
    const seen = await db
      .selectFrom('stripe_events')
      .select('id')
      .where('id', '=', event.id)
      .executeTakeFirst();
    if (seen) {
      res.json({ received: true, duplicate: true });
      return;
    }
    await applyStripeEvent(work, event);
    await db
      .insertInto('stripe_events')
      .values({ id: event.id, type: event.type })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    res.json({ received: true });
  });
}
