import type { Metadata } from '../metadata';
import type { TestCard } from '../test-cards';

/** One attempt to take money for a PaymentIntent: `succeeded`, or `failed` when the card was declined. */
export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: null;
  captured: boolean;
  created: number;
  currency: string;
  description: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  outcome: {
    network_status: 'approved_by_network' | 'declined_by_network';
    reason: string | null;
    risk_level: 'normal';
    seller_message: string;
    type: 'authorized' | 'issuer_declined';
  };
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: {
    type: 'card';
    card: { brand: TestCard['brand']; last4: string; exp_month: number; exp_year: number };
  };
  refunded: boolean;
  status: 'succeeded' | 'failed';
}
