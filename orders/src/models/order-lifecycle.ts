import { randomUUID } from 'node:crypto';
import { ConflictError, enqueue, NotFoundError, OrderStatus } from '@ticketing/common';
import { sql, type Transaction } from 'kysely';
import type { CancellationReason, OrdersDatabase } from '../database/schema';
import { AWAITING_PAYMENT, type OrderRow } from './order';
import { ticketChangedEvent, type TicketRow } from './ticket';

const RESERVATION_INDEX = 'orders_one_active_per_ticket';

function isReservationConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === '23505' && constraint === RESERVATION_INDEX;
}

/**
 * Reserves a ticket for a buyer: the order, the ticket's reservation and both events commit together.
 * Concurrent buyers queue on the ticket's row lock and all but the first find it reserved; the partial
 * unique index stops a second reservation even if that check were bypassed.
 */
export async function placeOrder(
  trx: Transaction<OrdersDatabase>,
  { ticketId, userId, expiresAt }: { ticketId: string; userId: string; expiresAt: Date },
): Promise<{ order: OrderRow; ticket: TicketRow }> {
  const available = await trx
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .forUpdate()
    .executeTakeFirst();
  if (!available) throw new NotFoundError('Ticket not found');
  if (available.order_id) throw new ConflictError('Ticket is already reserved');
  let order: OrderRow;
  try {
    order = await trx
      .insertInto('orders')
      .values({
        id: randomUUID(),
        user_id: userId,
        ticket_id: ticketId,
        status: OrderStatus.Created,
        cancellation_reason: null,
        expires_at: expiresAt,
        price: available.price,
        currency: available.currency,
        payment_id: null,
        version: 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isReservationConflict(error)) throw new ConflictError('Ticket is already reserved');
    throw error;
  }
  const ticket = await trx
    .updateTable('tickets')
    .set({ order_id: order.id, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', ticketId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueue(trx, 'orders.created', {
    id: order.id,
    version: order.version,
    status: order.status,
    userId,
    expiresAt: order.expires_at.toISOString(),
    ticket: { id: ticket.id, price: order.price, currency: order.currency },
  });
  await enqueue(trx, 'tickets.updated', ticketChangedEvent(ticket));
  return { order, ticket };
}

/**
 * Cancels an order that still awaits payment and frees its ticket. Returns undefined, changing nothing,
 * when the order is already paid or cancelled: a paid order is never cancelled, and a cancelled one is not
 * cancelled twice.
 */
export async function cancelOrder(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
  reason: CancellationReason,
): Promise<OrderRow | undefined> {
  const order = await trx
    .updateTable('orders')
    .set({
      status: OrderStatus.Cancelled,
      cancellation_reason: reason,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', orderId)
    .where('status', 'in', AWAITING_PAYMENT)
    .returningAll()
    .executeTakeFirst();
  if (!order) return undefined;
  const ticket = await trx
    .updateTable('tickets')
    .set({ order_id: null, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', order.ticket_id)
    .where('order_id', '=', order.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueue(trx, 'orders.cancelled', {
    id: order.id,
    version: order.version,
    reason,
    ticket: { id: ticket.id },
  });
  await enqueue(trx, 'tickets.updated', ticketChangedEvent(ticket));
  return order;
}

/**
 * Marks an order awaiting payment as paid. Returns undefined, changing nothing, when it is not awaiting
 * payment: a payment for a cancelled order leaves it cancelled (the payments service refunds it).
 */
export async function completeOrder(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
  paymentId: string,
): Promise<OrderRow | undefined> {
  const order = await trx
    .updateTable('orders')
    .set({
      status: OrderStatus.Complete,
      payment_id: paymentId,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', orderId)
    .where('status', 'in', AWAITING_PAYMENT)
    .returningAll()
    .executeTakeFirst();
  if (order) await enqueue(trx, 'orders.completed', { id: order.id, version: order.version, paymentId });
  return order;
}
