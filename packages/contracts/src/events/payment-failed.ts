import { z } from 'zod';

/**
 * Payload of `payments.failed`: one attempt to pay the order failed (a decline, say); the buyer may try
 * again while the order lasts.
 *
 * @example
 * const failure: PaymentFailed = paymentFailed.parse(envelope.data);
 * console.log(`${failure.declineCode ?? failure.code}: ${failure.message}`); // 'insufficient_funds: ...'
 */
export const paymentFailed = z.object({
  attemptId: z.uuid(),
  orderId: z.uuid(),
  code: z.string().min(1).describe("Stripe's error code, e.g. card_declined"),
  declineCode: z.string().min(1).optional().describe("Stripe's decline code, e.g. insufficient_funds"),
  message: z.string(),
});

export type PaymentFailed = z.infer<typeof paymentFailed>;
