import type { AnyEventListener } from '@ticketing/common';
import type { OrdersDatabase } from '../database/schema';

/** Every event the orders service listens to. */
export const subscriptions: AnyEventListener<OrdersDatabase>[] = [];
