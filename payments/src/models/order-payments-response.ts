import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';
import { attemptResponse, toAttemptResponse } from './attempt';
import { readPaymentRows } from './order-payments-store';
import { paymentResponse, toPaymentResponse } from './payment';
import { refundResponse, toRefundResponse } from './refund';

/** Everything about paying one order, as its buyer's live payment page shows it. */
export const orderPaymentsResponse = z.object({
  attempts: z.array(attemptResponse).describe('newest first'),
  payment: paymentResponse.nullable().describe('the successful charge, once there is one'),
  refunds: z.array(refundResponse).describe("the payment's refunds, newest first"),
});

export type OrderPaymentsResponse = z.infer<typeof orderPaymentsResponse>;

/**
 * Read in one snapshot of the database: a succeeded attempt is never shown without its payment. The order is
 * total, so that one state always serialises, and hashes, the same.
 */
export function readOrderPayments(
  db: Kysely<PaymentsDatabase>,
  orderId: string,
): Promise<OrderPaymentsResponse> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const { attempts, payment, refunds } = await readPaymentRows(trx, orderId);
      return {
        attempts: attempts.map(toAttemptResponse),
        payment: payment ? toPaymentResponse(payment) : null,
        refunds: refunds.map(toRefundResponse).reverse(),
      };
    });
}
