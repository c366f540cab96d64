import type { AnyEventListener } from '@ticketing/common';
import type { PaymentsContext } from '../context';
import type { PaymentsDatabase } from '../database/schema';
import { stripeClient } from '../stripe/stripe-client';
import { expirationCompletedListener } from './listeners/expiration-completed-listener';
import { orderCancelledListener } from './listeners/order-cancelled-listener';
import { orderCompletedListener } from './listeners/order-completed-listener';
import { orderCreatedListener } from './listeners/order-created-listener';

/** Every event the payments service listens to. */
export function subscriptions({ db, config, logger }: PaymentsContext): AnyEventListener<PaymentsDatabase>[] {
  return [
    orderCreatedListener,
    orderCancelledListener({
      db,
      stripe: stripeClient(config),
      logger,
      attemptHoldSeconds: config.PAYMENT_ATTEMPT_HOLD_SECONDS,
    }),
    orderCompletedListener,
    expirationCompletedListener,
  ];
}
