import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors/forbidden-error';
import { NotAuthorizedError } from '../errors/not-authorized-error';

/**
 * The role in a token's `roles` claim that unlocks admin routes.
 *
 * @example
 * const isAdmin = authenticatedUser(req).roles.includes(ADMIN_ROLE);
 */
export const ADMIN_ROLE = 'admin';

/**
 * 401 without a valid token, 403 without the admin role. `declareRoute` mounts it for `access: 'admin'`.
 *
 * @example
 * router.post('/api/payments/admin/payments/:id/refunds', requireAdmin, refundPayment);
 */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) return next(new NotAuthorizedError());
  next(req.currentUser.roles.includes(ADMIN_ROLE) ? undefined : new ForbiddenError('Admin role required'));
};
