import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors/forbidden-error';
import { NotAuthorizedError } from '../errors/not-authorized-error';

export const ADMIN_ROLE = 'admin';

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) return next(new NotAuthorizedError());
  next(req.currentUser.roles.includes(ADMIN_ROLE) ? undefined : new ForbiddenError('Admin role required'));
};
