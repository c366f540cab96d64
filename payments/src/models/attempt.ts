import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { PaymentAttemptsTable } from '../database/schema';

export type AttemptRow = Selectable<PaymentAttemptsTable>;

/** One try to pay an order, as the API shows it. */
export const attemptResponse = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']),
  amount: z.number().int(),
  currency: z.string().length(3),
  stripePaymentIntentId: z.string().nullable(),
  code: z.string().nullable().describe("Stripe's error code when the attempt failed, e.g. card_declined"),
  declineCode: z.string().nullable().describe("Stripe's decline code, e.g. insufficient_funds"),
  message: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});

export function toAttemptResponse(attempt: AttemptRow): z.infer<typeof attemptResponse> {
  return {
    id: attempt.id,
    orderId: attempt.order_id,
    status: attempt.status,
    amount: attempt.amount,
    currency: attempt.currency,
    stripePaymentIntentId: attempt.stripe_payment_intent_id,
    code: attempt.error_code,
    declineCode: attempt.decline_code,
    message: attempt.error_message,
    createdAt: attempt.created_at.toISOString(),
  };
}
