/** The shapes the public API answers with (see the services' OpenAPI documents). Money is in minor units. */

export interface Ticket {
  id: string;
  title: string;
  price: number;
  currency: string;
  userId: string;
  orderId: string | null;
  version: number;
}

export type OrderStatus = 'created' | 'awaiting:payment' | 'cancelled' | 'complete';

export interface Order {
  id: string;
  status: OrderStatus;
  userId: string;
  expiresAt: string;
  price: number;
  currency: string;
  paymentId: string | null;
  cancellationReason: 'expired' | 'user' | 'refunded' | null;
  version: number;
  ticket: { id: string; title: string; price: number; currency: string };
}

export type AttemptStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

export interface Attempt {
  id: string;
  orderId: string;
  status: AttemptStatus;
  amount: number;
  currency: string;
  stripePaymentIntentId: string | null;
  code: string | null;
  declineCode: string | null;
  message: string | null;
  createdAt: string;
}

export interface Payment {
  id: string;
  orderId: string;
  status: 'succeeded' | 'refunded';
  amount: number;
  amountRefunded: number;
  currency: string;
  stripeId: string;
  createdAt: string;
}

export type RefundStatus = 'requested' | 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface Refund {
  id: string;
  paymentId: string;
  stripeRefundId: string | null;
  amount: number;
  status: RefundStatus;
  reason: string;
  origin: 'order_cancelled' | 'admin' | 'stripe';
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Everything payments knows of one order: what the buyer's status page shows. */
export interface OrderPayments {
  attempts: Attempt[];
  payment: Payment | null;
  refunds: Refund[];
}

/** What `POST /api/payments` answers: paid (201), or waiting (202) with a 3-D Secure client secret. */
export type PaymentAnswer = Payment | { attempt: Attempt; clientSecret?: string | null };
