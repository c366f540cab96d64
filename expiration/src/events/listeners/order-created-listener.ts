import { defineListener } from '@ticketing/bus';
import type { ExpirationDatabase } from '../../database/schema';
import { addPendingExpiration } from '../../models/pending-expiration';

/** A new order awaits payment: schedule its expiry. An order whose window has already passed fires at once. */
export const orderCreatedListener = defineListener<ExpirationDatabase, 'orders.created'>(
  'orders.created',
  async (event, { trx, logger }) => {
    const added = await addPendingExpiration(trx, event.data.id, new Date(event.data.expiresAt));
    if (!added) logger.debug({ orderId: event.data.id }, 'expiry already scheduled');
  },
);
