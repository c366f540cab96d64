import type { AnyEventListener } from '@ticketing/bus';
import type { OrdersDatabase } from '../database/schema';
import { paymentCreatedListener } from './listeners/payment-created-listener';
import { paymentExpiredListener } from './listeners/payment-expired-listener';
import { paymentRefundedListener } from './listeners/payment-refunded-listener';

/** Every event the orders service listens to. */
export const subscriptions: AnyEventListener<OrdersDatabase>[] = [
  paymentCreatedListener,
  paymentExpiredListener,
  paymentRefundedListener,
];
