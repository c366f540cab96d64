import { randomUUID } from 'node:crypto';
import { enqueue } from '@ticketing/bus';
import { ConflictError, ForbiddenError, NotFoundError } from '@ticketing/service';
import { sql, type Transaction } from 'kysely';
import type { OrdersDatabase } from '../database/schema';
import { ticketChangedEvent, type TicketRow } from './ticket';

export interface TicketDetails {
  title: string;
  price: number;
  currency: string;
}

export async function createTicket(
  trx: Transaction<OrdersDatabase>,
  userId: string,
  details: TicketDetails,
): Promise<TicketRow> {
  const ticket = await trx
    .insertInto('tickets')
    .values({ id: randomUUID(), user_id: userId, order_id: null, version: 0, ...details })
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueue(trx, 'tickets.created', ticketChangedEvent(ticket));
  return ticket;
}

/** Changes a ticket its owner is selling, unless an order holds it (the buyer keeps the terms they got). */
export async function updateTicket(
  trx: Transaction<OrdersDatabase>,
  ticketId: string,
  userId: string,
  details: TicketDetails,
): Promise<TicketRow> {
  const current = await trx
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) throw new NotFoundError('Ticket not found');
  if (current.user_id !== userId) throw new ForbiddenError('Only the ticket owner can change it');
  if (current.order_id) throw new ConflictError('Ticket is reserved and cannot be changed');
  const ticket = await trx
    .updateTable('tickets')
    .set({ ...details, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', ticketId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueue(trx, 'tickets.updated', ticketChangedEvent(ticket));
  return ticket;
}
