import { z } from 'zod';

export const expirationCompleted = z.object({
  orderId: z.uuid(),
});

export type ExpirationCompleted = z.infer<typeof expirationCompleted>;
