import { orderStatus } from '@ticketing/contracts';
import { z } from 'zod';
import type { AttemptRow } from '../models/attempt';
import type { OrderReplicaRow } from '../models/order-replica';
import type { PaymentRow } from '../models/payment';
import type { RefundRow } from '../models/refund';

const at = z.iso.datetime({ offset: true });

/** One thing that happened to an order's payments, for a timeline: `kind` says which, and which fields follow. */
export const timelineEvent = z.discriminatedUnion('kind', [
  z.object({
    at,
    kind: z.literal('attempt.started'),
    attemptId: z.uuid(),
    amount: z.number().int(),
    currency: z.string().length(3),
  }),
  z.object({
    at,
    kind: z.enum(['attempt.succeeded', 'attempt.failed', 'attempt.canceled']),
    attemptId: z.uuid(),
    code: z.string().nullable(),
    declineCode: z.string().nullable(),
    message: z.string().nullable(),
  }),
  z.object({
    at,
    kind: z.literal('payment.recorded'),
    paymentId: z.uuid(),
    attemptId: z.uuid(),
    amount: z.number().int(),
    currency: z.string().length(3),
    stripePaymentIntentId: z.string(),
  }),
  z.object({
    at,
    kind: z.literal('refund.requested'),
    refundId: z.uuid(),
    paymentId: z.uuid(),
    amount: z.number().int(),
    reason: z.string(),
    origin: z.enum(['order_cancelled', 'admin', 'stripe']),
  }),
  z.object({
    at,
    kind: z.enum(['refund.succeeded', 'refund.failed', 'refund.canceled']),
    refundId: z.uuid(),
    amount: z.number().int(),
    failureReason: z.string().nullable(),
  }),
  z.object({
    at,
    kind: z.literal('order.status'),
    status: orderStatus.describe("the order's current status: when this service applied it"),
  }),
  z.object({ at, kind: z.enum(['order.deadline_reached', 'order.expired']) }),
]);

export type TimelineEvent = z.infer<typeof timelineEvent>;

export interface OrderRecords {
  order: OrderReplicaRow;
  attempts: AttemptRow[];
  payments: PaymentRow[];
  refunds: RefundRow[];
}

/**
 * Where an event goes among others recorded at the same instant, as one transaction records them: the
 * deadline closes the attempts still open, a success records the payment, a cancellation asks for the
 * refund, and the order expires once nothing is left open.
 */
const sameInstantOrder: Record<TimelineEvent['kind'], number> = {
  'attempt.started': 0,
  'order.deadline_reached': 1,
  'attempt.succeeded': 2,
  'attempt.failed': 2,
  'attempt.canceled': 2,
  'payment.recorded': 3,
  'order.status': 4,
  'refund.requested': 5,
  'refund.succeeded': 6,
  'refund.failed': 6,
  'refund.canceled': 6,
  'order.expired': 7,
};

/**
 * The order's payment history as events, oldest first. Only what has a recorded time is listed: the rows
 * keep when they were created and when they reached their current status, not every status between
 * (3-D Secure waiting, a pending refund, an order completed before it was cancelled).
 */
export function timelineEvents({ order, attempts, payments, refunds }: OrderRecords): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const attempt of attempts) {
    events.push({
      at: attempt.created_at.toISOString(),
      kind: 'attempt.started',
      attemptId: attempt.id,
      amount: attempt.amount,
      currency: attempt.currency,
    });
    if (attempt.status === 'succeeded' || attempt.status === 'failed' || attempt.status === 'canceled') {
      events.push({
        at: attempt.updated_at.toISOString(),
        kind: `attempt.${attempt.status}`,
        attemptId: attempt.id,
        code: attempt.error_code,
        declineCode: attempt.decline_code,
        message: attempt.error_message,
      });
    }
  }
  for (const payment of payments) {
    events.push({
      at: payment.created_at.toISOString(),
      kind: 'payment.recorded',
      paymentId: payment.id,
      attemptId: payment.attempt_id,
      amount: payment.amount,
      currency: payment.currency,
      stripePaymentIntentId: payment.stripe_payment_intent_id,
    });
  }
  for (const refund of refunds) {
    events.push({
      at: refund.created_at.toISOString(),
      kind: 'refund.requested',
      refundId: refund.id,
      paymentId: refund.payment_id,
      amount: refund.amount,
      reason: refund.reason,
      origin: refund.origin,
    });
    if (refund.status === 'succeeded' || refund.status === 'failed' || refund.status === 'canceled') {
      events.push({
        at: refund.updated_at.toISOString(),
        kind: `refund.${refund.status}`,
        refundId: refund.id,
        amount: refund.amount,
        failureReason: refund.failure_reason,
      });
    }
  }
  // Version 0 is the order as created: its updated_at is when it arrived, not a change.
  if (order.version > 0) {
    events.push({ at: order.updated_at.toISOString(), kind: 'order.status', status: order.status });
  }
  if (order.deadline_reached_at) {
    events.push({ at: order.deadline_reached_at.toISOString(), kind: 'order.deadline_reached' });
  }
  if (order.expired_at) events.push({ at: order.expired_at.toISOString(), kind: 'order.expired' });
  // Stable: events of one kind at one instant keep the order of their rows.
  return events.sort(
    (a, b) => a.at.localeCompare(b.at) || sameInstantOrder[a.kind] - sameInstantOrder[b.kind],
  );
}
