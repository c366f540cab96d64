import type { AnyEventListener } from '@ticketing/common';
import type { OrdersDatabase } from '../database/schema';
import { expirationCompletedListener } from './listeners/expiration-completed-listener';
import { paymentCreatedListener } from './listeners/payment-created-listener';

/** Every event the orders service listens to. */
export const subscriptions: AnyEventListener<OrdersDatabase>[] = [
  expirationCompletedListener,
  paymentCreatedListener,
];
