import { defineListener, OrderStatus } from '@ticketing/common';
import type { PaymentsDatabase } from '../../database/schema';
import type { OutcomeContext } from '../../models/attempt-outcome';
import { applyOrderStatus } from '../../models/order-replica';
import { settleCancelledOrder } from '../../models/settle-cancelled-order';

/**
 * The order is off: no attempt may charge it any more. What was paid for it is refunded and its open
 * PaymentIntent cancelled once the cancellation has committed, outside the transaction, so that the order's
 * lock is not held while Stripe answers; the sweep does the same for any cancellation this misses.
 */
export function orderCancelledListener(context: OutcomeContext) {
  return defineListener<PaymentsDatabase, 'orders.cancelled'>(
    'orders.cancelled',
    async (event, { trx, retryLater, afterCommit }) => {
      const applied = await applyOrderStatus(
        trx,
        { ...event.data, status: OrderStatus.Cancelled },
        retryLater,
      );
      if (typeof applied !== 'string') return applied;
      if (applied === 'applied') afterCommit(() => settleCancelledOrder(context, event.data.id));
    },
  );
}
