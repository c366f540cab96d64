import { z } from 'zod';

export const orderCancellationReason = z.enum(['expired', 'user']);

export const orderCancelled = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  reason: orderCancellationReason,
  ticket: z.object({ id: z.uuid() }),
});

export type OrderCancelled = z.infer<typeof orderCancelled>;
