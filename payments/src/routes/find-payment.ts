import { NotFoundError } from '@ticketing/service';
import type { Kysely } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';
import type { PaymentRow } from '../models/payment';

/** The payment with this id: 404 when there is none. Whose it is, the caller checks. */
export async function findPayment(db: Kysely<PaymentsDatabase>, paymentId: string): Promise<PaymentRow> {
  const payment = await db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!payment) throw new NotFoundError('Payment not found');
  return payment;
}
