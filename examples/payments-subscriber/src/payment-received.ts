import { defineListener } from '@ticketing/bus';
import type { EventEnvelope } from '@ticketing/contracts';
import type { Insertable } from 'kysely';
import type { ReceiptsDatabase, ReceiptsTable } from './database';

/** The receipt of one payment. `event` has been checked against the contract before it gets here. */
export function receiptOf(event: EventEnvelope<'payments.created'>): Insertable<ReceiptsTable> {
  const { id, orderId, amount, currency, stripeId } = event.data;
  return {
    payment_id: id,
    order_id: orderId,
    amount,
    currency,
    stripe_id: stripeId,
    paid_at: event.occurredAt,
    event_id: event.id,
  };
}

/**
 * Keeps a receipt of every payment. The runner records each event in the inbox in this handler's
 * transaction, so a redelivered message is acknowledged without coming here a second time. A different
 * event about a payment that already has its receipt would be the producer's bug: the insert fails, and
 * after its retries the message is parked in `dlq.payments.created` for someone to look at.
 */
export const paymentReceived = defineListener<ReceiptsDatabase, 'payments.created'>(
  'payments.created',
  async (event, { trx, logger, afterCommit }) => {
    const receipt = receiptOf(event);
    await trx.insertInto('receipts').values(receipt).execute();
    afterCommit(async () => {
      const { payment_id: paymentId, order_id: orderId, amount, currency } = receipt;
      logger.info({ paymentId, orderId, amount, currency }, 'receipt recorded');
    });
  },
);
