import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@ticketing/contracts';
import { enqueue, enqueueAll, enqueueWith, prepareEvents, withBusTables } from '@ticketing/bus';
import { ConflictError, isUniqueViolation, NotFoundError } from '@ticketing/service';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { CancellationReason, OrdersDatabase, OrdersTable } from '../database/schema';
import { AWAITING_PAYMENT, type OrderRow } from './order';
import { ticketChangedEvent, type TicketRow } from './ticket';

const RESERVATION_INDEX = 'orders_one_active_per_ticket';
/** Reads of a ticket that changed before it could be claimed, before giving up with a 409. */
const RESERVATION_ATTEMPTS = 5;

/**
 * Reserves a ticket for a buyer: the ticket's reservation, the order and both events commit together.
 * The hot path is two round trips: read the ticket, then claim it, insert the order and record the events
 * in one statement, on the condition that the ticket is still the version read (the events describe that
 * version). Concurrent buyers queue on the ticket's row lock and all but the first find it changed, read
 * it again and get a 409. The partial unique index on active orders would stop a second reservation even
 * if that claim were bypassed.
 */
export async function placeOrder(
  db: Kysely<OrdersDatabase>,
  { ticketId, userId, expiresAt }: { ticketId: string; userId: string; expiresAt: Date },
): Promise<{ order: OrderRow; ticket: TicketRow }> {
  for (let attempt = 1; attempt <= RESERVATION_ATTEMPTS; attempt++) {
    const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
    if (!ticket) throw new NotFoundError('Ticket not found');
    if (ticket.order_id !== null) throw new ConflictError('Ticket is already reserved');
    const placed = await claimTicket(db, ticket, { userId, expiresAt });
    if (placed) return placed;
  }
  throw new ConflictError('Ticket keeps changing; try again');
}

/** The single statement of `placeOrder`; undefined when the ticket is no longer the version read. */
async function claimTicket(
  db: Kysely<OrdersDatabase>,
  ticket: TicketRow,
  { userId, expiresAt }: { userId: string; expiresAt: Date },
): Promise<{ order: OrderRow; ticket: TicketRow } | undefined> {
  const orderId = randomUUID();
  const reserved: TicketRow = { ...ticket, order_id: orderId, version: ticket.version + 1 };
  const events = prepareEvents([
    {
      subject: 'orders.created',
      data: {
        id: orderId,
        version: 0,
        status: OrderStatus.Created,
        userId,
        expiresAt: expiresAt.toISOString(),
        ticket: { id: ticket.id, price: ticket.price, currency: ticket.currency },
      },
    },
    { subject: 'tickets.updated', data: ticketChangedEvent(reserved) },
  ]);
  let placed;
  try {
    // Written as SQL rather than with Kysely's builder: the statement is the same on every reservation,
    // and building it with the builder each time cost about a fifth of the request's CPU (bench/README.md).
    const { rows } = await sql<OrderRow & { ticket_updated_at: Date }>`
      with reserved as (
        update tickets set order_id = ${orderId}, version = ${reserved.version}, updated_at = now()
        where id = ${ticket.id} and version = ${ticket.version} and order_id is null
        returning id, updated_at
      ), placed as (
        insert into orders (id, user_id, ticket_id, status, expires_at, price, currency, version)
        select ${orderId}, ${userId}, reserved.id, ${OrderStatus.Created}, ${expiresAt}, ${ticket.price},
          ${ticket.currency}, 0
        from reserved
        returning *
      ), announced as (${enqueueWith(withBusTables(db), events, 'placed')})
      select placed.*, reserved.updated_at as ticket_updated_at
      from placed join reserved on reserved.id = placed.ticket_id`.execute(db);
    placed = rows[0];
  } catch (error) {
    if (isUniqueViolation(error, RESERVATION_INDEX)) throw new ConflictError('Ticket is already reserved');
    throw error;
  }
  if (!placed) return undefined;
  const { ticket_updated_at, ...order } = placed;
  return { order, ticket: { ...reserved, updated_at: ticket_updated_at } };
}

/**
 * Cancels an order that still awaits payment and frees its ticket. Returns undefined, changing nothing,
 * when the order is already paid or cancelled: a paid order is not cancelled by its buyer or its deadline,
 * and a cancelled one is not cancelled twice.
 */
export async function cancelOrder(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
  reason: Exclude<CancellationReason, 'refunded'>,
): Promise<OrderRow | undefined> {
  const order = await leave(trx, orderId, AWAITING_PAYMENT, {
    status: OrderStatus.Cancelled,
    cancellation_reason: reason,
  });
  if (order) await freeTicket(trx, order, reason);
  return order;
}

/**
 * A paid order whose money has all gone back is cancelled (reason `refunded`) and its ticket is for sale
 * again. Returns undefined, changing nothing, when the order is not complete.
 */
export async function refundOrder(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
): Promise<OrderRow | undefined> {
  const order = await leave(trx, orderId, [OrderStatus.Complete], {
    status: OrderStatus.Cancelled,
    cancellation_reason: 'refunded',
  });
  if (order) await freeTicket(trx, order, 'refunded');
  return order;
}

/** Releases a cancelled order's ticket and announces both. */
async function freeTicket(trx: Transaction<OrdersDatabase>, order: OrderRow, reason: CancellationReason) {
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
  const order = await leave(trx, orderId, AWAITING_PAYMENT, {
    status: OrderStatus.Complete,
    payment_id: paymentId,
  });
  if (order) await enqueue(trx, 'orders.completed', { id: order.id, version: order.version, paymentId });
  return order;
}

/**
 * Moves an order out of one of the `from` statuses and bumps its version, in one conditional update: of a
 * payment and an expiry racing for the same order, exactly one gets a row back.
 */
function leave(
  trx: Transaction<OrdersDatabase>,
  orderId: string,
  from: OrderStatus[],
  change: Pick<Updateable<OrdersTable>, 'status' | 'cancellation_reason' | 'payment_id'>,
): Promise<OrderRow | undefined> {
  return trx
    .updateTable('orders')
    .set({ ...change, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', orderId)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}
