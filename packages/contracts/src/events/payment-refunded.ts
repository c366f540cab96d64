import { z } from 'zod';
import { amountInMinorUnits } from './money';

/**
 * Money went back to the buyer: published once a refund has succeeded at Stripe, never before.
 *
 * @example
 * const refund: PaymentRefunded = paymentRefunded.parse(envelope.data);
 * if (refund.amountLeft === 0) console.log(`order ${refund.orderId} is fully refunded`);
 */
export const paymentRefunded = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  stripeRefundId: z.string().min(1),
  amount: amountInMinorUnits,
  reason: z.string().min(1).describe('why the money went back, e.g. order_cancelled or requested_by_admin'),
  amountLeft: amountInMinorUnits.describe(
    'what is left of the payment after this refund: 0 once all of it is back',
  ),
});

export type PaymentRefunded = z.infer<typeof paymentRefunded>;
