import { orderStatus } from '@ticketing/contracts';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';
import { refundResponse, toRefundResponse } from '../models/refund';
import { adminAttemptResponse, toAdminAttemptResponse } from './attempt-ledger';
import { adminPaymentResponse, toAdminPaymentResponse } from './payment-ledger';
import { timelineEvent, timelineEvents } from './timeline-events';

const instant = z.iso.datetime({ offset: true });

/** Everything this service knows about one order's payments, and the same as a timeline. */
export const orderTimelineResponse = z.object({
  order: z.object({
    id: z.uuid(),
    userId: z.string().describe('the buyer'),
    status: orderStatus,
    amount: z.number().int().describe("the ticket's price when ordered, minor units"),
    currency: z.string().length(3),
    expiresAt: instant
      .nullable()
      .describe('when the time to pay ends (null for orders replicated before it was kept)'),
    deadlineReachedAt: instant.nullable().describe('when the expiration service said the time was up'),
    expiredAt: instant.nullable().describe('when payments.expired was published: nothing was paid in time'),
  }),
  attempts: z.array(adminAttemptResponse).describe('oldest first'),
  payments: z.array(adminPaymentResponse).describe('at most one'),
  refunds: z.array(refundResponse).describe('oldest first'),
  events: z.array(timelineEvent).describe('oldest first; at the same instant, in the order they happened'),
});

export type OrderTimeline = z.infer<typeof orderTimelineResponse>;

/** The order's timeline, or undefined when this service has not heard of the order. */
export async function readOrderTimeline(
  db: Kysely<PaymentsDatabase>,
  orderId: string,
): Promise<OrderTimeline | undefined> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!order) return undefined;
  const [attempts, payments, refunds] = await Promise.all([
    db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db.selectFrom('payments').selectAll().where('order_id', '=', orderId).execute(),
    db
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .selectAll('refunds')
      .where('payments.order_id', '=', orderId)
      .orderBy('refunds.created_at')
      .orderBy('refunds.id')
      .execute(),
  ]);
  return {
    order: {
      id: order.id,
      userId: order.user_id,
      status: order.status,
      amount: order.amount,
      currency: order.currency,
      expiresAt: order.expires_at?.toISOString() ?? null,
      deadlineReachedAt: order.deadline_reached_at?.toISOString() ?? null,
      expiredAt: order.expired_at?.toISOString() ?? null,
    },
    attempts: attempts.map(toAdminAttemptResponse),
    payments: payments.map((payment) => toAdminPaymentResponse(payment, order.user_id)),
    refunds: refunds.map(toRefundResponse),
    events: timelineEvents({ order, attempts, payments, refunds }),
  };
}
