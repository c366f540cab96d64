import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  enqueue,
  enqueueAll,
  isUniqueViolation,
  NotFoundError,
  OrderStatus,
} from '@ticketing/common';
import { sql, type Transaction, type Updateable } from 'kysely';
import type { CancellationReason, OrdersDatabase, OrdersTable } from '../database/schema';
import { AWAITING_PAYMENT, type OrderRow } from './order';
import { ticketChangedEvent, type TicketRow } from './ticket';

const RESERVATION_INDEX = 'orders_one_active_per_ticket';

/**
 * Reserves a ticket for a buyer: the ticket's reservation, the order and both events commit together.
 * Claiming the ticket is one conditional update: concurrent buyers queue on its row lock and all but the
 * first find it taken. The partial unique index on active orders would stop a second reservation even if
 * that claim were bypassed.
 */
export async function placeOrder(
  trx: Transaction<OrdersDatabase>,
  { ticketId, userId, expiresAt }: { ticketId: string; userId: string; expiresAt: Date },
): Promise<{ order: OrderRow; ticket: TicketRow }> {
  const orderId = randomUUID();
  let placed;
  try {
    placed = await trx
      .with('reserved', (db) =>
        db
          .updateTable('tickets')
          .set({ order_id: orderId, version: sql`version + 1`, updated_at: sql`now()` })
          .where('id', '=', ticketId)
          .where('order_id', 'is', null)
          .returningAll(),
      )
      .with('placed', (db) =>
        db
          .insertInto('orders')
          .columns(['id', 'user_id', 'ticket_id', 'status', 'expires_at', 'price', 'currency', 'version'])
          .expression((eb) =>
            eb
              .selectFrom('reserved')
              .select((select) => [
                select.val(orderId).as('id'),
                select.val(userId).as('user_id'),
                'reserved.id',
                select.val(OrderStatus.Created).as('status'),
                select.val(expiresAt).as('expires_at'),
                'reserved.price',
                'reserved.currency',
                select.lit(0).as('version'),
              ]),
          )
          .returningAll(),
      )
      .selectFrom('placed')
      .innerJoin('reserved', 'reserved.id', 'placed.ticket_id')
      .selectAll('placed')
      .select([
        'reserved.title as ticket_title',
        'reserved.user_id as ticket_user_id',
        'reserved.version as ticket_version',
        'reserved.created_at as ticket_created_at',
        'reserved.updated_at as ticket_updated_at',
      ])
      .executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error, RESERVATION_INDEX)) throw new ConflictError('Ticket is already reserved');
    throw error;
  }
  if (!placed) {
    const exists = await trx.selectFrom('tickets').select('id').where('id', '=', ticketId).executeTakeFirst();
    throw exists ? new ConflictError('Ticket is already reserved') : new NotFoundError('Ticket not found');
  }
  const { ticket_title, ticket_user_id, ticket_version, ticket_created_at, ticket_updated_at, ...order } =
    placed;
  const ticket: TicketRow = {
    id: ticketId,
    title: ticket_title,
    price: order.price,
    currency: order.currency,
    user_id: ticket_user_id,
    order_id: order.id,
    version: ticket_version,
    created_at: ticket_created_at,
    updated_at: ticket_updated_at,
  };
  await enqueueAll(trx, [
    {
      subject: 'orders.created',
      data: {
        id: order.id,
        version: order.version,
        status: order.status,
        userId,
        expiresAt: order.expires_at.toISOString(),
        ticket: { id: ticket.id, price: order.price, currency: order.currency },
      },
    },
    { subject: 'tickets.updated', data: ticketChangedEvent(ticket) },
  ]);
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
  const order = await leaveAwaitingPayment(trx, orderId, {
    status: OrderStatus.Cancelled,
    cancellation_reason: reason,
  });
  if (!order) return undefined;
  const ticket = await trx
    .updateTable('tickets')
    .set({ order_id: null, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', order.ticket_id)
    .where('order_id', '=', order.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueueAll(trx, [
    {
      subject: 'orders.cancelled',
      data: { id: order.id, version: order.version, reason, ticket: { id: ticket.id } },
    },
    { subject: 'tickets.updated', data: ticketChangedEvent(ticket) },
  ]);
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
  const order = await leaveAwaitingPayment(trx, orderId, {
    status: OrderStatus.Complete,
    payment_id: paymentId,
  });
  if (order) await enqueue(trx, 'orders.completed', { id: order.id, version: order.version, paymentId });
  return order;
}

/**
 * Moves an order out of awaiting payment and bumps its version, in one conditional update: of a payment
 * and an expiry racing for the same order, exactly one gets a row back.
 */
function leaveAwaitingPayment(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
  change: Pick<Updateable<OrdersTable>, 'status' | 'cancellation_reason' | 'payment_id'>,
): Promise<OrderRow | undefined> {
  return trx
    .updateTable('orders')
    .set({ ...change, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', orderId)
    .where('status', 'in', AWAITING_PAYMENT)
    .returningAll()
    .executeTakeFirst();
}
