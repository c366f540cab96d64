import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

/** Which service serves which path prefix: the same table as the Kubernetes Ingress. */
export interface GatewayRoutes {
  orders: string;
  payments: string;
}

/**
 * One entry point on one port that routes like the ingress: `/api/tickets` and `/api/orders` to orders,
 * `/api/payments` (the Stripe webhook included) to payments. Bodies are streamed through untouched, so
 * Stripe's signatures still verify.
 */
export async function startGateway(
  port: number,
  routes: GatewayRoutes,
): Promise<{ url: string; server: Server }> {
  const app = express();
  app.disable('x-powered-by');
  const toOrders = createProxyMiddleware({ target: routes.orders, xfwd: true });
  const toPayments = createProxyMiddleware({ target: routes.payments, xfwd: true });
  app.use(['/api/tickets', '/api/orders'], (req, res, next) => {
    req.url = req.originalUrl;
    void toOrders(req, res, next);
  });
  app.use('/api/payments', (req, res, next) => {
    req.url = req.originalUrl;
    void toPayments(req, res, next);
  });
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Route not found' }] });
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
