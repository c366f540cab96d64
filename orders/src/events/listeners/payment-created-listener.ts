import { defineListener } from '@ticketing/bus';
import type { OrdersDatabase } from '../../database/schema';
import { completeOrder } from '../../models/order-lifecycle';

/**
 * A payment succeeded: the order is complete. A payment for an order cancelled in the meantime leaves it
 * cancelled; the payments service refunds that charge when it sees the cancellation.
 */
export const paymentCreatedListener = defineListener<OrdersDatabase, 'payments.created'>(
  'payments.created',
  async (event, { trx, logger }) => {
    const completed = await completeOrder(trx, event.data.orderId, event.data.id);
    if (!completed)
      logger.info(
        { orderId: event.data.orderId, paymentId: event.data.id },
        'payment for an order not awaiting payment',
      );
  },
);
