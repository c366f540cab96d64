import type { OutgoingEvent } from '@ticketing/bus';
import type { AttemptState, OrderState, PaymentState, RefundState } from './order-payments';

/** A request to Stripe that a decision asks for, made after the decision's changes have committed. */
export type StripeCall =
  | { kind: 'create_refund'; refundId: string; intentId: string; amount: number; reason: string }
  | { kind: 'cancel_intent'; intentId: string };

/** What a trigger does to an order's payments: the states that change, the events, the calls to Stripe. */
export interface Decision {
  /** Attempts whose state changed, as they are now. */
  attempts: AttemptState[];
  /** The payment, when it is new or changed. */
  payment?: PaymentState;
  /** Refunds that are new or changed, as they are now. */
  refunds: RefundState[];
  /** Changes to the order's own payment-side facts. */
  order?: Partial<Pick<OrderState, 'deadlineReached' | 'expired'>>;
  events: OutgoingEvent[];
  calls: StripeCall[];
  /** Why the trigger was refused, when it was (an admin refund of more than is left, say). */
  refused?: string;
}

export function noDecision(): Decision {
  return { attempts: [], refunds: [], events: [], calls: [] };
}
