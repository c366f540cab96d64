import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';

/** Payload of `tickets.created` and `tickets.updated`: the ticket as it is after the change. */
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
