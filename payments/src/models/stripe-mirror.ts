import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { PaymentsDatabase } from '../database/schema';
import { idOf } from '../lifecycle/stripe-snapshots';

/** Stores a PaymentIntent exactly as Stripe just returned it: the mirror is never written from anything else. */
export async function mirrorPaymentIntent(
  db: Kysely<PaymentsDatabase>,
  intent: Stripe.PaymentIntent,
): Promise<void> {
  const row = {
    status: intent.status,
    amount: intent.amount,
    amount_received: intent.amount_received,
    currency: intent.currency,
    latest_charge: idOf(intent.latest_charge),
    object: JSON.stringify(intent),
  };
  await db
    .insertInto('stripe_payment_intents')
    .values({ id: intent.id, order_id: intent.metadata.orderId as string, ...row })
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
}

/** Stores a Refund exactly as Stripe just returned it. */
export async function mirrorRefund(db: Kysely<PaymentsDatabase>, refund: Stripe.Refund): Promise<void> {
  const row = { amount: refund.amount, status: refund.status ?? 'unknown', object: JSON.stringify(refund) };
  await db
    .insertInto('stripe_refunds')
    .values({ id: refund.id, payment_intent_id: idOf(refund.payment_intent) ?? '', ...row })
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
}
