import type { Metadata } from '../metadata';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/**
 * `pending` until the card network settles it, then `succeeded` or `failed`. Card refunds can be `canceled`
 * only from Stripe's Dashboard, so the fake never shows that status.
 */
export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** Why a refund failed, among the reasons https://docs.stripe.com/refunds#failed-refunds lists. */
export type RefundFailureReason = 'expired_or_canceled_card' | 'unknown';

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  failure_balance_transaction: null;
  failure_reason: RefundFailureReason | null;
  metadata: Metadata;
  payment_intent: string;
  reason: (typeof REFUND_REASONS)[number] | null;
  status: RefundStatus;
}
