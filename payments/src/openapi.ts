import { declareApi } from '@ticketing/service';
import type { PaymentsContext } from './context';
import { paymentsRoutes } from './routes';

/** The payments service's HTTP API, and the OpenAPI document made from its routes' contracts. */
export const paymentsApi = declareApi<PaymentsContext>({
  title: 'Ticketing: payments',
  version: '1.0.0',
  description:
    'Pays orders through Stripe PaymentIntents. Amounts are integer minor units. A payment needing 3-D Secure ' +
    'answers 202 with a clientSecret and completes through Stripe; GET /api/payments/orders/{orderId}/events ' +
    'follows it live.',
  documentPath: '/api/payments/openapi.json',
  routes: paymentsRoutes,
});

export const paymentsOpenApi = paymentsApi.document;
