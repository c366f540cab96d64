import { Router } from 'express';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/openapi-document';
import { declareRoute, type DeclaredRoute, type RouteContract } from './declare-route';

/** What `declareApi` takes: the document's title, version and description, its path, and the routes. */
export interface ApiDeclaration<Context> {
  title: string;
  version: string;
  description: string;
  /** Where the document itself is served, e.g. `/api/orders/openapi.json`. */
  documentPath: string;
  routes: DeclaredRoute<Context>[];
}

/** A service's whole HTTP API: the routes to mount, and the OpenAPI document made from their contracts. */
export interface DeclaredApi<Context> {
  document: OpenApiDocument;
  routes: DeclaredRoute<Context>[];
  /**
   * One router serving every route, in order, made with `context`. One router rather than one per route:
   * express enters each mounted router in turn until a route matches, and a request paid for every router
   * mounted before its own.
   */
  router(context: Context): Router;
}

/**
 * A service's API from its declared routes: the routes plus one serving the OpenAPI document, which is
 * generated from their contracts. A route is either in this list, documented, or not served at all.
 *
 * @example
 * export const ordersApi = declareApi({
 *   title: 'Ticketing: orders',
 *   version: '1.0.0',
 *   description: 'Tickets and orders',
 *   documentPath: '/api/orders/openapi.json',
 *   routes: [createTicketRoute, showTicketRoute],
 * });
 * app.use(ordersApi.router(context));
 */
export function declareApi<Context extends { db: unknown }>({
  title,
  version,
  description,
  documentPath,
  routes,
}: ApiDeclaration<Context>): DeclaredApi<Context> {
  const documentRoute = declareRoute<Context, RouteContract>(
    {
      method: 'get',
      path: documentPath,
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1' } },
    },
    () => (_input, _req, res) => {
      res.json(document);
    },
  );
  // First: `/api/orders/:id` would otherwise take `/api/orders/openapi.json` for an order.
  const all = [documentRoute, ...routes];
  const document = buildOpenApiDocument({
    title,
    version,
    description,
    operations: all.map((route) => route.operation),
  });
  return {
    document,
    routes: all,
    router(context) {
      const router = Router({ caseSensitive: true });
      for (const route of all) route.mount(router, context);
      return router;
    },
  };
}
