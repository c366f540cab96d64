import type { EventData } from '@ticketing/contracts';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { TicketsTable } from '../database/schema';

export type TicketRow = Selectable<TicketsTable>;

/** A ticket as the API shows it. */
export const ticketResponse = z.object({
  id: z.uuid(),
  title: z.string(),
  price: z.number().int().describe('minor units (cents)'),
  currency: z.string().length(3),
  userId: z.string(),
  orderId: z.uuid().nullable().describe('the order reserving the ticket, if any'),
  version: z.number().int(),
});

export type TicketResponse = z.infer<typeof ticketResponse>;

export function toTicketResponse(ticket: TicketRow): TicketResponse {
  return {
    id: ticket.id,
    title: ticket.title,
    price: ticket.price,
    currency: ticket.currency,
    userId: ticket.user_id,
    orderId: ticket.order_id,
    version: ticket.version,
  };
}

/** The payload of `tickets.created` / `tickets.updated`: the ticket as it is after the change. */
export function ticketChangedEvent(ticket: TicketRow): EventData<'tickets.updated'> {
  return {
    id: ticket.id,
    version: ticket.version,
    title: ticket.title,
    price: ticket.price,
    currency: ticket.currency,
    userId: ticket.user_id,
    orderId: ticket.order_id,
  };
}
