import type { Request, RequestHandler } from 'express';
import { NotAuthorizedError } from '../errors/not-authorized-error';
import type { CurrentUser } from './current-user';

/**
 * 401 unless `currentUser` found a valid token. `declareRoute` mounts it for `access: 'user'`.
 *
 * @example
 * router.get('/api/orders', requireAuth, listOrders);
 */
export const requireAuth: RequestHandler = (req, _res, next) => {
  next(req.currentUser ? undefined : new NotAuthorizedError());
};

/**
 * The caller of a route behind `requireAuth`, typed as present; a 401 should the route be mounted without
 * it.
 *
 * @example
 * const buyer = authenticatedUser(req);
 * const orders = await listOrders(db, buyer.id);
 */
export function authenticatedUser(req: Request): CurrentUser {
  if (!req.currentUser) throw new NotAuthorizedError();
  return req.currentUser;
}
