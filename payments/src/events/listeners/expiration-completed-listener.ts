import { defineListener } from '@ticketing/common';
import type { PaymentsDatabase } from '../../database/schema';
import { reachDeadline } from '../../models/payment-window';

/**
 * The order's time to pay is up: no attempt starts for it any more, and once the ones under way settle
 * unpaid, `payments.expired` tells the orders service to cancel it. A payment Stripe accepted in time is
 * recorded first and wins.
 */
export const expirationCompletedListener = defineListener<PaymentsDatabase, 'expiration.completed'>(
  'expiration.completed',
  async (event, { trx }) => {
    await reachDeadline(trx, event.data.orderId);
  },
);
