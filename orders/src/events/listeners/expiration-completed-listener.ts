import { defineListener } from '@ticketing/common';
import type { OrdersDatabase } from '../../database/schema';
import { cancelOrder } from '../../models/order-lifecycle';

/**
 * An order's payment window ended: cancel it if it is still unpaid. A paid or already cancelled order is
 * left as it is, so a late or repeated expiration publishes nothing.
 */
export const expirationCompletedListener = defineListener<OrdersDatabase, 'expiration.completed'>(
  'expiration.completed',
  async (event, { trx, logger }) => {
    const cancelled = await cancelOrder(trx, event.data.orderId, 'expired');
    if (!cancelled)
      logger.debug({ orderId: event.data.orderId }, 'expiration ignored: order not awaiting payment');
  },
);
