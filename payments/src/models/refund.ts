import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { RefundsTable } from '../database/schema';

export type RefundRow = Selectable<RefundsTable>;

/** Money going back for a payment, as the admin API shows it. */
export const refundResponse = z.object({
  id: z.uuid(),
  paymentId: z.uuid(),
  stripeRefundId: z.string().nullable().describe('null until Stripe has acknowledged the refund'),
  amount: z.number().int().describe('minor units'),
  status: z
    .enum(['requested', 'pending', 'succeeded', 'failed', 'canceled'])
    .describe('requested: not yet acknowledged by Stripe; only succeeded is money returned'),
  reason: z.string(),
  origin: z.enum(['order_cancelled', 'admin', 'stripe']),
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export function toRefundResponse(refund: RefundRow): z.infer<typeof refundResponse> {
  return {
    id: refund.id,
    paymentId: refund.payment_id,
    stripeRefundId: refund.stripe_refund_id,
    amount: refund.amount,
    status: refund.status,
    reason: refund.reason,
    origin: refund.origin,
    failureReason: refund.failure_reason,
    createdAt: refund.created_at.toISOString(),
    updatedAt: refund.updated_at.toISOString(),
  };
}
