import { BadRequestError, declareRoute } from '@ticketing/service';
import type Stripe from 'stripe';
import { z } from 'zod';
import { paymentWork, type PaymentsContext } from '../context';
import { applyStripeEvent } from '../models/stripe-events';

/** Stripe's own limit: a signature older than this is refused, so a captured request cannot be replayed. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Stripe's webhooks: the signature is checked on the raw bytes, the object re-read from Stripe and
 * reconciled, and only then is the event id stored, so that Stripe retries an event we failed to apply
 * and a redelivery of one we applied does nothing.
 */
export const stripeWebhookRoute = declareRoute(
  {
    method: 'post',
    path: '/api/payments/webhooks/stripe',
    summary: "Stripe's webhooks (signed)",
    description:
      'The body is read as bytes, not through a schema: Stripe signs exactly what it sent, and only a valid ' +
      'Stripe-Signature makes it an event.',
    headers: z.object({
      'stripe-signature': z.string().max(2000).optional().describe("Stripe's signature of the raw body"),
    }),
    responses: {
      200: {
        description: 'Received',
        body: z.object({ received: z.literal(true), duplicate: z.boolean().optional() }),
      },
    },
    errors: { 400: 'Bad signature' },
  },
  (context: PaymentsContext) => {
    const { db, config } = context;
    const work = paymentWork(context);
    const { stripe } = work;
    return async ({ headers }, req, res) => {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          req.rawBody ?? '',
          headers['stripe-signature'] ?? '',
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
    };
  },
);
