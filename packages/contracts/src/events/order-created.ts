import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';
import { orderStatus } from './order-status';

/**
 * Payload of `orders.created`: a buyer reserved a ticket and must pay by `expiresAt`. It carries the price,
 * so that payments charges what the order says without asking the orders service.
 *
 * @example
 * const order: OrderCreated = orderCreated.parse(envelope.data);
 * console.log(`${order.ticket.price} ${order.ticket.currency} due by ${order.expiresAt}`);
 */
export const orderCreated = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  status: orderStatus,
  userId: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }).describe('when an unpaid order is cancelled'),
  ticket: z.object({ id: z.uuid(), price: amountInMinorUnits, currency: currencyCode }),
});

export type OrderCreated = z.infer<typeof orderCreated>;
