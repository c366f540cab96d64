import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { PaymentsDatabase } from '../database/schema';
import type { AttemptRow } from './attempt';
import type { PaymentRow } from './payment';

/** What an attempt has come to, for the HTTP answer to the request that made it (or its retry). */
export type AttemptOutcome =
  | { kind: 'succeeded'; attempt: AttemptRow; payment: PaymentRow }
  | { kind: 'requires_action'; attempt: AttemptRow; clientSecret: string | null }
  | { kind: 'failed'; attempt: AttemptRow }
  | { kind: 'pending'; attempt: AttemptRow }
  | { kind: 'canceled'; attempt: AttemptRow };

/**
 * What an attempt has come to so far, from the records: the answer once the lifecycle has recorded
 * Stripe's, or for a retry of the request that made it once that request's own answer is lost. The
 * client secret of a 3-D Secure challenge is the one Stripe just gave, or else the mirrored intent's.
 */
export async function outcomeOf(
  db: Kysely<PaymentsDatabase>,
  attemptId: string,
  clientSecret?: string | null,
): Promise<AttemptOutcome> {
  const attempt = await db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .executeTakeFirstOrThrow();
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', attempt.order_id)
    .executeTakeFirst();
  switch (attempt.status) {
    case 'succeeded':
    case 'canceled':
      // A canceled attempt may have lost the order to another that paid it.
      return payment ? { kind: 'succeeded', attempt, payment } : { kind: 'canceled', attempt };
    case 'requires_action': {
      if (clientSecret !== undefined) return { kind: 'requires_action', attempt, clientSecret };
      const intent = await db
        .selectFrom('stripe_payment_intents')
        .select('object')
        .where('id', '=', attempt.stripe_payment_intent_id ?? '')
        .executeTakeFirst();
      const mirrored = (intent?.object as Partial<Stripe.PaymentIntent> | undefined)?.client_secret ?? null;
      return { kind: 'requires_action', attempt, clientSecret: mirrored };
    }
    case 'failed':
      return { kind: 'failed', attempt };
    case 'pending':
      return { kind: 'pending', attempt };
  }
}
