import { z } from 'zod';

/**
 * Why an order was cancelled. `refunded`: a paid order whose money all went back; its ticket is for sale
 * again.
 *
 * @example
 * orderCancellationReason.options; // ['expired', 'user', 'refunded']
 */
export const orderCancellationReason = z.enum(['expired', 'user', 'refunded']);

/**
 * Payload of `orders.cancelled`: the order will not be paid (or was paid and fully refunded), and its ticket
 * is free again.
 *
 * @example
 * const cancelled: OrderCancelled = orderCancelled.parse(envelope.data);
 * if (cancelled.reason === 'expired') console.log(`order ${cancelled.id} ran out of time`);
 */
export const orderCancelled = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  reason: orderCancellationReason,
  ticket: z.object({ id: z.uuid() }),
});

export type OrderCancelled = z.infer<typeof orderCancelled>;
