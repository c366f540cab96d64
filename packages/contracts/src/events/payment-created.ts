import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';

export const paymentCreated = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  stripeId: z.string().min(1).describe('the Stripe PaymentIntent id'),
  amount: amountInMinorUnits,
  currency: currencyCode,
});

export type PaymentCreated = z.infer<typeof paymentCreated>;
