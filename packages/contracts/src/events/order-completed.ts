import { z } from 'zod';

export const orderCompleted = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  paymentId: z.uuid(),
});

export type OrderCompleted = z.infer<typeof orderCompleted>;
