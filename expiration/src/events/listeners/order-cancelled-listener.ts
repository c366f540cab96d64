import { defineListener } from '@ticketing/bus';
import type { ExpirationDatabase } from '../../database/schema';
import { removePendingExpiration } from '../../models/pending-expiration';

/**
 * A cancelled order needs no expiry. If this overtakes its orders.created (they travel on separate
 * consumers), the expiry is scheduled afterwards and fires; the orders service ignores an expiration for an
 * order no longer awaiting payment, so that costs one event, never a wrong cancellation.
 */
export const orderCancelledListener = defineListener<ExpirationDatabase, 'orders.cancelled'>(
  'orders.cancelled',
  async (event, { trx }) => {
    await removePendingExpiration(trx, event.data.id);
  },
);
