import type { Kysely } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';

/**
 * The order's PaymentIntent, once its first attempt has made one: recorded on the attempt before any
 * charge goes to Stripe, so it is known even when the process died before Stripe's answer was mirrored.
 */
export async function orderIntentId(
  db: Kysely<PaymentsDatabase>,
  orderId: string,
): Promise<string | undefined> {
  const attempt = await db
    .selectFrom('payment_attempts')
    .select('stripe_payment_intent_id')
    .where('order_id', '=', orderId)
    .where('stripe_payment_intent_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (attempt?.stripe_payment_intent_id) return attempt.stripe_payment_intent_id;
  const mirrored = await db
    .selectFrom('stripe_payment_intents')
    .select('id')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return mirrored?.id;
}
