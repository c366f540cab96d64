import { orderCancellationReason, OrderStatus, orderStatus } from '@ticketing/contracts';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { OrdersTable, TicketsTable } from '../database/schema';

export type OrderRow = Selectable<OrdersTable>;

/** Statuses in which an order still waits for its payment: it can be paid, cancelled, or expire. */
export const AWAITING_PAYMENT: OrderStatus[] = [OrderStatus.Created, OrderStatus.AwaitingPayment];

/** An order as the API shows it, with its ticket. */
export const orderResponse = z.object({
  id: z.uuid(),
  status: orderStatus,
  userId: z.string(),
  expiresAt: z.iso.datetime({ offset: true }).describe('when the order is cancelled if still unpaid'),
  price: z.number().int().describe('what the buyer owes, in minor units'),
  currency: z.string().length(3),
  paymentId: z.uuid().nullable().describe('set once the order is paid (status complete): poll for it'),
  cancellationReason: orderCancellationReason.nullable(),
  version: z.number().int(),
  ticket: z.object({
    id: z.uuid(),
    title: z.string(),
    price: z.number().int(),
    currency: z.string().length(3),
  }),
});

export type OrderResponse = z.infer<typeof orderResponse>;

export function toOrderResponse(
  order: OrderRow,
  ticket: Pick<Selectable<TicketsTable>, 'id' | 'title' | 'price' | 'currency'>,
) {
  return {
    id: order.id,
    status: order.status,
    userId: order.user_id,
    expiresAt: order.expires_at.toISOString(),
    price: order.price,
    currency: order.currency,
    paymentId: order.payment_id,
    cancellationReason: order.cancellation_reason,
    version: order.version,
    ticket: { id: ticket.id, title: ticket.title, price: ticket.price, currency: ticket.currency },
  } satisfies OrderResponse;
}
