import type { AnyEventListener } from '@ticketing/bus';
import type { ExpirationDatabase } from '../database/schema';
import { orderCancelledListener } from './listeners/order-cancelled-listener';
import { orderCompletedListener } from './listeners/order-completed-listener';
import { orderCreatedListener } from './listeners/order-created-listener';

/** Every event the expiration service listens to. */
export const subscriptions: AnyEventListener<ExpirationDatabase>[] = [
  orderCreatedListener,
  orderCancelledListener,
  orderCompletedListener,
];
