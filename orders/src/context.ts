import type { ServiceContext } from '@ticketing/service';
import type { OrdersConfig } from './config';
import type { OrdersDatabase } from './database/schema';

/** What the orders service's routes and listeners are given. */
export type OrdersContext = ServiceContext<OrdersDatabase, OrdersConfig>;
