import type { Metadata } from '../metadata';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/** Card refunds settle at once in the fake, so every refund is `succeeded`. */
export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: (typeof REFUND_REASONS)[number] | null;
  status: 'succeeded';
}
