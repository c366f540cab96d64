import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { PaymentsTable } from '../database/schema';

export type PaymentRow = Selectable<PaymentsTable>;

/** A successful charge for an order, as the API shows it. */
export const paymentResponse = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['succeeded', 'refunded']),
  amount: z.number().int().describe('minor units'),
  amountRefunded: z.number().int(),
  currency: z.string().length(3),
  stripeId: z.string().describe('the Stripe PaymentIntent'),
  createdAt: z.iso.datetime({ offset: true }),
});

export function toPaymentResponse(payment: PaymentRow): z.infer<typeof paymentResponse> {
  return {
    id: payment.id,
    orderId: payment.order_id,
    status: payment.status,
    amount: payment.amount,
    amountRefunded: payment.amount_refunded,
    currency: payment.currency,
    stripeId: payment.stripe_payment_intent_id,
    createdAt: payment.created_at.toISOString(),
  };
}
