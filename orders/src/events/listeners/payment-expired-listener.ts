import { defineListener } from '@ticketing/bus';
import type { OrdersDatabase } from '../../database/schema';
import { cancelOrder } from '../../models/order-lifecycle';

/**
 * The order's time to pay ran out with nothing paid (the payments service decides, once every attempt
 * under way has settled): cancel it and free its ticket. A paid or already cancelled order is left as it
 * is, so a late or repeated event publishes nothing.
 */
export const paymentExpiredListener = defineListener<OrdersDatabase, 'payments.expired'>(
  'payments.expired',
  async (event, { trx, logger }) => {
    const cancelled = await cancelOrder(trx, event.data.orderId, 'expired');
    if (!cancelled)
      logger.debug({ orderId: event.data.orderId }, 'expiry ignored: order not awaiting payment');
  },
);
