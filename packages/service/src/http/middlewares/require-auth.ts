import type { Request, RequestHandler } from 'express';
import { NotAuthorizedError } from '../errors/not-authorized-error';
import type { CurrentUser } from './current-user';

export const requireAuth: RequestHandler = (req, _res, next) => {
  next(req.currentUser ? undefined : new NotAuthorizedError());
};

/** The caller of a route behind `requireAuth`. */
export function authenticatedUser(req: Request): CurrentUser {
  if (!req.currentUser) throw new NotAuthorizedError();
  return req.currentUser;
}
