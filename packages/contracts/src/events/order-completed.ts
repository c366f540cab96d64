import { z } from 'zod';

/**
 * Payload of `orders.completed`: the order is paid, by the payment `paymentId`, and the ticket is the
 * buyer's.
 *
 * @example
 * const completed: OrderCompleted = orderCompleted.parse(envelope.data);
 */
export const orderCompleted = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  paymentId: z.uuid(),
});

export type OrderCompleted = z.infer<typeof orderCompleted>;
