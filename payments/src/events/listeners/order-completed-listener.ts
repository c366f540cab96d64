import { OrderStatus } from '@ticketing/contracts';
import { defineListener } from '@ticketing/bus';
import type { PaymentsDatabase } from '../../database/schema';
import { applyOrderStatus } from '../../models/order-replica';

/** The order is paid: no further attempt is accepted for it. */
export const orderCompletedListener = defineListener<PaymentsDatabase, 'orders.completed'>(
  'orders.completed',
  async (event, { trx, retryLater }) => {
    const applied = await applyOrderStatus(trx, { ...event.data, status: OrderStatus.Complete }, retryLater);
    if (typeof applied !== 'string') return applied;
  },
);
