import { OrderStatus } from '@ticketing/contracts';
import { defineListener } from '@ticketing/bus';
import type { PaymentsDatabase } from '../../database/schema';
import { orderCancelled } from '../../lifecycle/payment-lifecycle';
import { applyOrderStatus } from '../../models/order-replica';
import { decideIn, performCalls, type PaymentWork } from '../../models/payment-triggers';

/**
 * The order is off: no attempt may charge it any more. What was paid for it is refunded and its open
 * PaymentIntents cancelled once the cancellation has committed, outside the transaction, so that the
 * order's lock is not held while Stripe answers; the sweep does the same for any cancellation this misses.
 */
export function orderCancelledListener(work: PaymentWork) {
  return defineListener<PaymentsDatabase, 'orders.cancelled'>(
    'orders.cancelled',
    async (event, { trx, retryLater, afterCommit }) => {
      const applied = await applyOrderStatus(
        trx,
        { ...event.data, status: OrderStatus.Cancelled },
        retryLater,
      );
      if (applied !== 'applied') return typeof applied === 'string' ? undefined : applied;
      const decision = await decideIn(trx, event.data.id, orderCancelled, work);
      afterCommit(() => performCalls(work, event.data.id, decision.calls));
    },
  );
}
