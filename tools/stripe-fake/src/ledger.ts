import type { Charge } from './resources/charge';
import type { Refund } from './resources/refund';

/**
 * One charge attempt and the money it moved, in minor units. `amount_refunded` is the charge's, which counts
 * pending refunds too; the money actually returned is the sum of the `succeeded` refunds.
 */
export interface LedgerEntry {
  charge: string;
  payment_intent: string;
  status: Charge['status'];
  currency: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  refunds: Array<Pick<Refund, 'id' | 'amount' | 'reason' | 'status'>>;
  created: number;
}

/** Every charge attempt, oldest first, so a test can assert e.g. "exactly one successful charge". */
export interface Ledger {
  entries: LedgerEntry[];
}

export function buildLedger(charges: readonly Charge[], refunds: readonly Refund[]): Ledger {
  return {
    entries: charges.map((charge) => ({
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: charge.status,
      currency: charge.currency,
      amount: charge.amount,
      amount_captured: charge.amount_captured,
      amount_refunded: charge.amount_refunded,
      refunds: refunds
        .filter((refund) => refund.charge === charge.id)
        .map(({ id, amount, reason, status }) => ({ id, amount, reason, status })),
      created: charge.created,
    })),
  };
}
