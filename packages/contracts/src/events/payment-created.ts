import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';

/**
 * Payload of `payments.created`: Stripe took the money for the order. There is at most one per order; the
 * orders service completes the order on it.
 *
 * @example
 * const payment: PaymentCreated = paymentCreated.parse(envelope.data);
 * const paid = `${formatMinorUnits(payment.amount, payment.currency)} ${payment.currency}`;
 * console.log(`order ${payment.orderId}: ${paid}, PaymentIntent ${payment.stripeId}`);
 */
export const paymentCreated = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  stripeId: z.string().min(1).describe('the Stripe PaymentIntent id'),
  amount: amountInMinorUnits,
  currency: currencyCode,
});

export type PaymentCreated = z.infer<typeof paymentCreated>;
