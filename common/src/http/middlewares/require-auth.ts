import type { RequestHandler } from 'express';
import { NotAuthorizedError } from '../errors/not-authorized-error';

export const requireAuth: RequestHandler = (req, _res, next) => {
  next(req.currentUser ? undefined : new NotAuthorizedError());
};
