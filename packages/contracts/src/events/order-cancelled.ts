import { z } from 'zod';

/** `refunded`: a paid order whose money all went back; its ticket is for sale again. */
export const orderCancellationReason = z.enum(['expired', 'user', 'refunded']);

export const orderCancelled = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  reason: orderCancellationReason,
  ticket: z.object({ id: z.uuid() }),
});

export type OrderCancelled = z.infer<typeof orderCancelled>;
