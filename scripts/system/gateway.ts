import { Agent, createServer, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerParserRefusals } from '@ticketing/service';
import express, { type Express } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

/** Where each service of the API listens (its base URL). */
export interface GatewayRoutes {
  orders: string;
  payments: string;
}

/** The API's paths in the Kubernetes Ingress (infra/k8s/base/ingress.yaml) and the service behind each. */
const API_PREFIXES: ReadonlyArray<readonly [prefix: string, service: keyof GatewayRoutes]> = [
  ['/api/tickets', 'orders'],
  ['/api/orders', 'orders'],
  ['/api/payments', 'payments'],
];

/**
 * The service whose prefix takes the path, matched as ingress-nginx matches a Prefix path: case-sensitively
 * and by whole path elements, so `/api/tickets` takes `/api/tickets/` and `/api/tickets/1` but neither
 * `/api/ticketsx` nor `/API/tickets` (those are the client's, like every path the API does not take). No
 * prefix is another's prefix, so the first match is the longest.
 */
function serviceFor(path: string): keyof GatewayRoutes | undefined {
  return API_PREFIXES.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
}

/** ingress-nginx's default proxy-read-timeout. */
const PROXY_TIMEOUT_MS = 60_000;
/** A crashed service is restarted after half a second at first: worth retrying soon. */
const RETRY_AFTER_SECONDS = 1;
/**
 * An idle connection to a service is closed before the service's own keep-alive timeout (node's 5 s) would
 * close it, so that a request is never sent on a connection the service is closing.
 */
const IDLE_CONNECTION_MS = 4_000;

/**
 * Forwards to one service. While it is down (restarting, or dead mid-request) the client gets the API's
 * JSON error shape as a 503 with Retry-After, which says "try again" where a 502 or 504 would not.
 * Connections to the service are kept alive between requests, as ingress-nginx keeps its upstreams': without
 * an agent, http-proxy opens one per request and asks the service to close it.
 */
function proxyTo(service: keyof GatewayRoutes, target: string) {
  return createProxyMiddleware({
    target,
    agent: new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    xfwd: true,
    proxyTimeout: PROXY_TIMEOUT_MS,
    on: {
      error: (_error, _req, res) => {
        // Part of an answer is already on its way: only dropping the connection tells the client.
        if (!(res instanceof ServerResponse) || res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(503, {
          'Content-Type': 'application/json',
          'Retry-After': String(RETRY_AFTER_SECONDS),
        });
        res.end(JSON.stringify({ errors: [{ message: `${service} is unavailable; retry shortly` }] }));
      },
      proxyRes: (proxyRes, _req, res) => {
        // A service that dies mid-answer: otherwise the client would wait for the rest forever.
        proxyRes.once('close', () => {
          if (!proxyRes.complete) res.destroy();
        });
      },
    },
  });
}

/**
 * One entry point on one port that routes like the ingress: `/api/tickets` and `/api/orders` to orders,
 * `/api/payments` (the Stripe webhook included) to payments, everything else to the web client when there
 * is one, and a 404 when there is not (test/k8s/gateway-routing.test.ts compares it with the Ingress).
 * Paths reach the services as the client sent them. Bodies are streamed through untouched, so Stripe's
 * signatures still verify, and so are the services' event streams: nothing here buffers or compresses.
 */
export async function startGateway(
  port: number,
  routes: GatewayRoutes,
  client?: Express,
): Promise<{ url: string; server: Server }> {
  const app = express();
  app.disable('x-powered-by');
  const proxies = {
    orders: proxyTo('orders', routes.orders),
    payments: proxyTo('payments', routes.payments),
  };
  app.use((req, res, next) => {
    const service = serviceFor(req.path);
    if (service) void proxies[service](req, res, next);
    else next();
  });
  if (client) app.use(client);
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Route not found' }] });
  });
  const server = createServer(app);
  answerParserRefusals(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
