import { z } from 'zod';
import { amountInMinorUnits } from './money';

export const paymentRefunded = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  stripeRefundId: z.string().min(1),
  amount: amountInMinorUnits,
  reason: z.string().min(1).describe('why the money went back, e.g. order_cancelled or requested_by_admin'),
});

export type PaymentRefunded = z.infer<typeof paymentRefunded>;
