import { defineListener } from '@ticketing/bus';
import type { PaymentsDatabase } from '../../database/schema';
import { deadlineReached } from '../../lifecycle/payment-lifecycle';
import { decideIn } from '../../models/payment-triggers';

/**
 * The order's time to pay is up: no attempt starts for it any more, and once the ones under way settle
 * unpaid, `payments.expired` tells the orders service to cancel it. A payment Stripe accepted in time is
 * recorded first and wins.
 */
export const expirationCompletedListener = defineListener<PaymentsDatabase, 'expiration.completed'>(
  'expiration.completed',
  async (event, { trx }) => {
    await decideIn(trx, event.data.orderId, deadlineReached);
  },
);
