import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { startGateway } from '../../scripts/system/gateway';
import { byKind, K8S, parseYamlDocuments, type IngressObject } from './manifests';

/**
 * Paths around every edge of the Ingress's rules: case, path elements, trailing slashes, query strings, the
 * API paths the client serves and the client's own pages.
 */
const PATHS = [
  '/api/tickets',
  '/api/tickets/',
  '/api/tickets/abc',
  '/api/tickets?sort=asc',
  '/api/ticketsx',
  '/API/tickets',
  '/api/Tickets/1',
  '/api/orders',
  '/api/orders/1/events',
  '/api/ordersx/1',
  '/api/payments',
  '/api/payments/webhooks/stripe',
  '/api/payments/orders/1/events',
  '/api/paymentsx',
  '/api/dev/sign-in',
  '/api',
  '/api/',
  '/apix',
  '/',
  '/orders/1',
  '/index.html',
  '/config.json',
];

interface IngressPath {
  prefix: string;
  service: string;
}

/** Every path of the Ingresses for the one host, with the Service behind it. */
function ingressPaths(): IngressPath[] {
  const file = join(K8S, 'base', 'ingress.yaml');
  const ingresses = byKind<IngressObject>(parseYamlDocuments(readFileSync(file, 'utf8'), file), 'Ingress');
  return ingresses.flatMap((ingress) =>
    ingress.spec.rules.flatMap((rule) =>
      rule.http.paths.map(({ path, pathType, backend }) => {
        // Exact and ImplementationSpecific paths would need rules of their own here.
        if (pathType !== 'Prefix') throw new Error(`${path}: only Prefix paths are modelled`);
        return { prefix: path, service: backend.service.name };
      }),
    ),
  );
}

/** A path's elements, as the Ingress spec splits it: `/a/b/` is `a`, `b`. */
const elements = (path: string) => path.replace(/\/$/, '').split('/').slice(1);

/**
 * The Service the Ingress sends a request to: among the Prefix paths whose elements begin the request
 * path's (compared case-sensitively), the longest. The query string takes no part.
 */
function ingressService(paths: IngressPath[], requestPath: string): string | undefined {
  const requested = elements(requestPath.split('?')[0] as string);
  const matching = paths.filter(({ prefix }) =>
    elements(prefix).every((element, i) => requested[i] === element),
  );
  return matching.sort((a, b) => elements(b.prefix).length - elements(a.prefix).length)[0]?.service;
}

/** A stand-in service that answers which service it is and the path it was asked for. */
function echo(service: string) {
  return (req: IncomingMessage, res: ServerResponse) => res.end(JSON.stringify({ service, url: req.url }));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Which service got the request, and with which path; `404` when nothing took it. */
async function answerOf(gatewayUrl: string, path: string): Promise<{ service: string; url?: string }> {
  const response = await fetch(`${gatewayUrl}${path}`);
  if (response.status === 404) return { service: '404' };
  return (await response.json()) as { service: string; url: string };
}

describe('the gateway of npm start', () => {
  const upstreams = [createServer(echo('orders')), createServer(echo('payments'))];
  const gateways: Server[] = [];
  let withClient: string;
  let withoutClient: string;

  beforeAll(async () => {
    const [orders, payments] = await Promise.all(upstreams.map(listen));
    const routes = { orders: orders as string, payments: payments as string };
    const client = express().use(echo('client'));
    const started = await Promise.all([startGateway(0, routes, client), startGateway(0, routes)]);
    gateways.push(...started.map((gateway) => gateway.server));
    [withClient, withoutClient] = started.map((gateway) => gateway.url) as [string, string];
  });

  afterAll(async () => {
    for (const server of [...gateways, ...upstreams]) await new Promise((resolve) => server.close(resolve));
  });

  it('sends each path where the Ingress would, unchanged', async () => {
    const paths = ingressPaths();
    const answers = await Promise.all(PATHS.map(async (path) => [path, await answerOf(withClient, path)]));
    expect(answers).toEqual(PATHS.map((path) => [path, { service: ingressService(paths, path), url: path }]));
  });

  it('answers 404 to what the Ingress gives the client, when there is no client', async () => {
    const paths = ingressPaths();
    const answers = await Promise.all(PATHS.map(async (path) => [path, await answerOf(withoutClient, path)]));
    const expected = PATHS.map((path) => {
      const service = ingressService(paths, path);
      return [path, service === 'client' ? { service: '404' } : { service, url: path }];
    });
    expect(answers).toEqual(expected);
  });
});
