import { defineListener, OrderStatus } from '@ticketing/common';
import type Stripe from 'stripe';
import type { PaymentsDatabase } from '../../database/schema';
import { applyOrderStatus } from '../../models/order-replica';
import { settleCancelledOrder } from '../../models/settle-cancelled-order';

/**
 * The order is off: refund what was paid for it and cancel its open PaymentIntent. The Stripe calls run
 * inside the handler's transaction under idempotency keys, so a retry repeats nothing at Stripe.
 */
export function orderCancelledListener(stripe: Stripe) {
  return defineListener<PaymentsDatabase, 'orders.cancelled'>(
    'orders.cancelled',
    async (event, { trx, logger, retryLater }) => {
      const applied = await applyOrderStatus(
        trx,
        { ...event.data, status: OrderStatus.Cancelled },
        retryLater,
      );
      if (typeof applied !== 'string') return applied;
      if (applied === 'applied') await settleCancelledOrder({ db: trx, stripe, logger }, event.data.id);
    },
  );
}
