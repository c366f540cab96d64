import type { Express } from 'express';
import type { OrdersContext } from './context';
import { ordersApi } from './openapi';

/** Mounts the orders service's declared routes on the app @ticketing/service builds (probes, metrics, auth, errors). */
export function mountRoutes(app: Express, context: OrdersContext): void {
  app.use(ordersApi.router(context));
}
