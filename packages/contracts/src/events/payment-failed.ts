import { z } from 'zod';

export const paymentFailed = z.object({
  attemptId: z.uuid(),
  orderId: z.uuid(),
  code: z.string().min(1).describe("Stripe's error code, e.g. card_declined"),
  declineCode: z.string().min(1).optional().describe("Stripe's decline code, e.g. insufficient_funds"),
  message: z.string(),
});

export type PaymentFailed = z.infer<typeof paymentFailed>;
