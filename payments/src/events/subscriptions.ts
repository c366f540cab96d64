import type { AnyEventListener } from '@ticketing/bus';
import { paymentWork, type PaymentsContext } from '../context';
import type { PaymentsDatabase } from '../database/schema';
import { expirationCompletedListener } from './listeners/expiration-completed-listener';
import { orderCancelledListener } from './listeners/order-cancelled-listener';
import { orderCompletedListener } from './listeners/order-completed-listener';
import { orderCreatedListener } from './listeners/order-created-listener';

/** Every event the payments service listens to. */
export function subscriptions(context: PaymentsContext): AnyEventListener<PaymentsDatabase>[] {
  return [
    orderCreatedListener,
    orderCancelledListener(paymentWork(context)),
    orderCompletedListener,
    expirationCompletedListener,
  ];
}
