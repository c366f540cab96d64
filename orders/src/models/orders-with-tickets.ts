import type { Kysely } from 'kysely';
import type { OrdersDatabase } from '../database/schema';
import type { OrderRow } from './order';

/** Orders joined with their tickets: one query for an order page or a single order. */
export function selectOrdersWithTickets(db: Kysely<OrdersDatabase>) {
  return db
    .selectFrom('orders')
    .innerJoin('tickets', 'tickets.id', 'orders.ticket_id')
    .selectAll('orders')
    .select([
      'tickets.title as ticket_title',
      'tickets.price as ticket_price',
      'tickets.currency as ticket_currency',
    ]);
}

type OrderWithTicketRow = OrderRow & { ticket_title: string; ticket_price: number; ticket_currency: string };

export function splitOrderWithTicket({
  ticket_title,
  ticket_price,
  ticket_currency,
  ...order
}: OrderWithTicketRow) {
  return {
    order,
    ticket: { id: order.ticket_id, title: ticket_title, price: ticket_price, currency: ticket_currency },
  };
}
