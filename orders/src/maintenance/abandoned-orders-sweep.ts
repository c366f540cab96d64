import { OrderStatus } from '@ticketing/contracts';
import { hoursAgo, retentionSweep, type MaintenanceTask } from '@ticketing/service';
import type { OrdersContext } from '../context';

/**
 * Deletes orders that expired unpaid (cancelled with reason 'expired') once they are older than
 * ABANDONED_ORDER_RETENTION_DAYS. Only the orders go: their tickets are the catalog, and a ticket never
 * points at a cancelled order (cancelling clears its reservation).
 */
export function abandonedOrdersSweep({ db, config }: OrdersContext): MaintenanceTask {
  return retentionSweep({
    name: 'abandoned-orders',
    deleteBatch: (limit) =>
      db
        .deleteFrom('orders')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('orders')
            .select('id')
            .where('status', '=', OrderStatus.Cancelled)
            .where('cancellation_reason', '=', 'expired')
            .where('updated_at', '<', hoursAgo(config.ABANDONED_ORDER_RETENTION_DAYS * 24))
            .limit(limit),
        )
        .executeTakeFirstOrThrow(),
  });
}
