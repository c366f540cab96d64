import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';
import type { PaymentStatus } from '../lifecycle/order-payments';
import { paymentResponse, toPaymentResponse, type PaymentRow } from '../models/payment';
import { newestFirstPage, type CreatedWindowPage } from './newest-first-page';

/** A payment as operators see it: with its buyer and the attempt that made it. */
export const adminPaymentResponse = paymentResponse.extend({
  userId: z.string().describe('the buyer'),
  attemptId: z.uuid().describe('the attempt that charged it'),
  updatedAt: z.iso.datetime({ offset: true }).describe('when a refund last changed it'),
});

export type AdminPaymentResponse = z.infer<typeof adminPaymentResponse>;

export function toAdminPaymentResponse(payment: PaymentRow, buyerId: string): AdminPaymentResponse {
  return {
    ...toPaymentResponse(payment),
    userId: buyerId,
    attemptId: payment.attempt_id,
    updatedAt: payment.updated_at.toISOString(),
  };
}

export interface PaymentFilters extends CreatedWindowPage {
  status?: PaymentStatus;
  orderId?: string;
  userId?: string;
}

/** One page of payments, newest first (one row more when there is more), each with its order's buyer. */
export function findPayments(
  db: Kysely<PaymentsDatabase>,
  filters: PaymentFilters,
): Promise<Array<PaymentRow & { buyer_id: string }>> {
  let query = newestFirstPage(
    db
      .selectFrom('payments')
      .innerJoin('orders', 'orders.id', 'payments.order_id')
      .selectAll('payments')
      .select('orders.user_id as buyer_id'),
    'payments',
    filters,
  );
  const { status, orderId, userId } = filters;
  if (status) query = query.where('payments.status', '=', status);
  if (orderId) query = query.where('payments.order_id', '=', orderId);
  if (userId) query = query.where('orders.user_id', '=', userId);
  return query.execute();
}
