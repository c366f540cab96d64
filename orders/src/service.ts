import type { ServiceDefinition } from '@ticketing/service';
import { mountRoutes } from './app';
import { ordersConfig, type OrdersConfig } from './config';
import { migrations } from './database/migrations';
import type { OrdersDatabase } from './database/schema';
import { subscriptions } from './events/subscriptions';
import { abandonedOrdersSweep } from './maintenance/abandoned-orders-sweep';

export const ordersService: ServiceDefinition<OrdersDatabase, OrdersConfig> = {
  name: 'orders',
  config: ordersConfig,
  migrations,
  subscriptions,
  routes: mountRoutes,
  maintenance: (context) => [abandonedOrdersSweep(context)],
};
