import type { Express } from 'express';
import type { PaymentsContext } from './context';
import { paymentsApi } from './openapi';

/** Mounts the payments service's declared routes on the app @ticketing/service builds (probes, metrics, auth, errors). */
export function mountRoutes(app: Express, context: PaymentsContext): void {
  app.use(paymentsApi.router(context));
}
