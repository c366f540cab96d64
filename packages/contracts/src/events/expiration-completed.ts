import { z } from 'zod';

/**
 * Payload of `expiration.completed`: an order's time to pay is up. It settles nothing by itself: the
 * payments service decides whether the order expires (see `paymentExpired`).
 *
 * @example
 * const { orderId }: ExpirationCompleted = expirationCompleted.parse(envelope.data);
 */
export const expirationCompleted = z.object({
  orderId: z.uuid(),
});

export type ExpirationCompleted = z.infer<typeof expirationCompleted>;
