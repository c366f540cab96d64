import type { Request } from 'express';

/**
 * The pattern of the route that took the request (`/api/orders/:id`), which groups requests the way their
 * paths, ids and all, would not; undefined when no route matched.
 */
export function routePattern(req: Request): string | undefined {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined;
}
