import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';

/**
 * Payload of `tickets.created` and `tickets.updated`: the ticket as it is after the change, so that a
 * consumer keeps a replica without asking the orders service.
 *
 * @example
 * const ticket: TicketChanged = ticketChanged.parse(envelope.data);
 * if (ticket.orderId) console.log(`${ticket.title} is reserved by order ${ticket.orderId}`);
 */
export const ticketChanged = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  title: z.string().min(1),
  price: amountInMinorUnits,
  currency: currencyCode,
  userId: z.string().min(1),
  orderId: z.uuid().nullable().optional().describe('the active order reserving the ticket, if any'),
});

export type TicketChanged = z.infer<typeof ticketChanged>;
