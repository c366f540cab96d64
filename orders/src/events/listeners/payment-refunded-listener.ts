import { defineListener } from '@ticketing/bus';
import type { OrdersDatabase } from '../../database/schema';
import { refundOrder } from '../../models/order-lifecycle';

/**
 * Money went back to the buyer. Once all of it has (an operator refunded the order in full), the order is
 * cancelled with reason `refunded` and its ticket is for sale again; a partial refund changes nothing here
 * (decision 0010). A refund of an order already cancelled is that cancellation's own, and changes nothing.
 */
export const paymentRefundedListener = defineListener<OrdersDatabase, 'payments.refunded'>(
  'payments.refunded',
  async (event, { trx, logger }) => {
    if (event.data.amountLeft > 0) return;
    const refunded = await refundOrder(trx, event.data.orderId);
    if (refunded)
      logger.info({ orderId: refunded.id }, 'order refunded in full; its ticket is for sale again');
  },
);
