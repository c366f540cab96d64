import { declareApi } from '@ticketing/service';
import type { OrdersContext } from './context';
import { ordersRoutes } from './routes';

/** The orders service's HTTP API: tickets and orders, and the OpenAPI document made from their contracts. */
export const ordersApi = declareApi<OrdersContext>({
  title: 'Ticketing: orders',
  version: '1.0.0',
  description: 'The ticket catalog and orders. Prices are integer minor units with an ISO 4217 currency.',
  documentPath: '/api/orders/openapi.json',
  routes: ordersRoutes,
});

export const ordersOpenApi = ordersApi.document;
