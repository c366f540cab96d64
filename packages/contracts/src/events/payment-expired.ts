import { z } from 'zod';

/**
 * An order's time to pay ran out with nothing paid: its deadline passed, every attempt on it has settled,
 * and none succeeded. Published by payments, which alone can tell: a payment Stripe accepted before the
 * deadline is recorded first, however late the system's own events run, and then this is never published.
 *
 * @example
 * const { orderId, expiresAt }: PaymentExpired = paymentExpired.parse(envelope.data);
 */
export const paymentExpired = z.object({
  orderId: z.uuid(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().describe('the deadline that passed, when known'),
});

export type PaymentExpired = z.infer<typeof paymentExpired>;
