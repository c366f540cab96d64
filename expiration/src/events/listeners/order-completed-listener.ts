import { defineListener } from '@ticketing/bus';
import type { ExpirationDatabase } from '../../database/schema';
import { removePendingExpiration } from '../../models/pending-expiration';

/** A paid order must not expire. Overtaking its orders.created is harmless, as for a cancellation. */
export const orderCompletedListener = defineListener<ExpirationDatabase, 'orders.completed'>(
  'orders.completed',
  async (event, { trx }) => {
    await removePendingExpiration(trx, event.data.id);
  },
);
