import type { OrderStatus } from '@ticketing/contracts';
import type { CommonTables } from '@ticketing/service';
import type { ColumnType, Generated } from 'kysely';
import type { AttemptStatus, PaymentStatus, RefundOrigin, RefundStatus } from '../lifecycle/order-payments';

/** The orders service's orders as this service needs them, kept from orders.* events, applied by version. */
export interface OrdersTable {
  id: string;
  user_id: string;
  status: OrderStatus;
  version: number;
  amount: number;
  currency: string;
  /** When the buyer's time to pay ends: no attempt starts after it. Null for orders replicated before. */
  expires_at: Date | null;
  /** When expiration.completed arrived: from then on the order waits only for its open attempts to settle. */
  deadline_reached_at: Date | null;
  /** When payments.expired was published for it: nothing was paid by the deadline. */
  expired_at: Date | null;
  updated_at: Generated<Date>;
}

/** Every try to pay an order, whatever came of it: the ledger. */
export interface PaymentAttemptsTable {
  id: string;
  order_id: string;
  user_id: string;
  /** A PaymentMethod id or a card token, as the client gave it. */
  payment_method: string;
  status: AttemptStatus;
  amount: number;
  currency: string;
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  error_code: string | null;
  decline_code: string | null;
  error_message: string | null;
  /**
   * Part of the attempt's Stripe idempotency keys. Moved on only when Stripe answered a 5xx, which it keeps
   * under the key: the same key would replay that answer for ever, and a 5xx created nothing we could charge.
   */
  key_generation: Generated<number>;
  /** A worker charging the attempt holds it until then, renewing as it goes; a lapsed hold is resumed. */
  locked_until: Generated<Date>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A successful charge for an order: at most one per order. */
export interface PaymentsTable {
  id: string;
  order_id: string;
  attempt_id: string;
  stripe_payment_intent_id: string;
  stripe_charge_id: string | null;
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** The sum of its succeeded refunds. */
  amount_refunded: Generated<number>;
  refunds_checked_at: Generated<Date>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Money going back for a payment: asked by us (an operator, a cancelled order) or made at Stripe. */
export interface RefundsTable {
  id: string;
  payment_id: string;
  /** Null until Stripe has acknowledged the refund. */
  stripe_refund_id: string | null;
  amount: number;
  reason: string;
  status: RefundStatus;
  origin: RefundOrigin;
  failure_reason: string | null;
  key_generation: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The last PaymentIntent Stripe returned for an order: a mirror, written only from Stripe's own objects. */
export interface StripePaymentIntentsTable {
  id: string;
  order_id: string;
  status: string;
  amount: number;
  amount_received: number;
  currency: string;
  latest_charge: string | null;
  object: ColumnType<Record<string, unknown>, string, string>;
  updated_at: Generated<Date>;
}

export interface StripeRefundsTable {
  id: string;
  payment_intent_id: string;
  amount: number;
  status: string;
  object: ColumnType<Record<string, unknown>, string, string>;
  updated_at: Generated<Date>;
}

/** Webhook events already received, so that a redelivery has no second effect. */
export interface StripeEventsTable {
  id: string;
  type: string;
  received_at: Generated<Date>;
}

export interface PaymentsDatabase extends CommonTables {
  orders: OrdersTable;
  payment_attempts: PaymentAttemptsTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  stripe_payment_intents: StripePaymentIntentsTable;
  stripe_refunds: StripeRefundsTable;
  stripe_events: StripeEventsTable;
}
