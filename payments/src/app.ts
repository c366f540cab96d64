import type { Express } from 'express';
import type { PaymentsContext } from './context';
import { paymentsOpenApi } from './openapi';
import { adminRouter } from './routes/admin/admin-routes';
import { createPaymentRouter } from './routes/create-payment';
import { orderPaymentsRouter } from './routes/order-payments';
import { showPaymentRouter } from './routes/show-payment';
import { stripeWebhookRouter } from './routes/stripe-webhook';

/** Mounts the payments service's routes on the app common builds (probes, metrics, auth, errors). */
export function mountRoutes(app: Express, context: PaymentsContext): void {
  app.get('/api/payments/openapi.json', (_req, res) => {
    res.json(paymentsOpenApi);
  });
  app.use(
    stripeWebhookRouter(context),
    adminRouter(context),
    createPaymentRouter(context),
    orderPaymentsRouter(context),
    showPaymentRouter(context),
  );
}
