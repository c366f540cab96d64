/**
 * An order's payments as the lifecycle sees them: plain data, read under the order's lock and handed to
 * the pure decisions of `payment-lifecycle`, which return what changes.
 */

export type AttemptStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** Why an attempt ended without charging, when Stripe did not say: ours, not Stripe's codes. */
export type WithdrawalCode = 'payment_intent_unexpected_state' | 'order_not_payable' | 'superseded';

export interface AttemptError {
  code: string;
  declineCode: string | null;
  message: string;
}

/** One try to pay, with one payment method. */
export interface AttemptState {
  id: string;
  status: AttemptStatus;
  intentId: string | null;
  chargeId: string | null;
  error: AttemptError | null;
  createdAt: Date;
}

/**
 * `requested`: recorded here, not yet acknowledged by Stripe (the call may be in flight, or lost in a crash:
 * the sweep sends it again under the same key). The rest are Stripe's statuses: only `succeeded` is money
 * returned, and Stripe may still turn a succeeded refund into a failed one.
 */
export type RefundStatus = 'requested' | 'pending' | 'succeeded' | 'failed' | 'canceled';

/** Who asked for the money back. */
export type RefundOrigin = 'order_cancelled' | 'admin' | 'stripe';

export interface RefundState {
  id: string;
  stripeRefundId: string | null;
  amount: number;
  status: RefundStatus;
  reason: string;
  origin: RefundOrigin;
  failureReason: string | null;
  /** Part of its Stripe idempotency key, moved on when Stripe answers a 5xx (which it keeps under the key). */
  keyGeneration: number;
  updatedAt: Date;
}

export type PaymentStatus = 'succeeded' | 'refunded';

/** The money Stripe took for the order: at most one per order. */
export interface PaymentState {
  id: string;
  attemptId: string;
  intentId: string;
  chargeId: string | null;
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** The sum of succeeded refunds: money actually returned. */
  amountRefunded: number;
}

/** Where the order stands, as the orders service last told: it can still be paid, it is paid, or it is off. */
export type OrderStanding = 'awaiting' | 'complete' | 'cancelled';

export interface OrderState {
  standing: OrderStanding;
  expiresAt: Date | null;
  /** The expiration service said the time is up: no new attempt, and the verdict once nothing is open. */
  deadlineReached: boolean;
  /** `payments.expired` was published. */
  expired: boolean;
}

export interface OrderPayments {
  orderId: string;
  /** Undefined while the order has not reached this service. */
  order?: OrderState;
  /** Newest first. */
  attempts: AttemptState[];
  payment?: PaymentState;
  refunds: RefundState[];
}

export const OPEN_ATTEMPT: AttemptStatus[] = ['pending', 'requires_action'];
/** Refunds that hold part of the payment: returned, or on their way. */
export const HOLDING_REFUND: RefundStatus[] = ['requested', 'pending', 'succeeded'];
