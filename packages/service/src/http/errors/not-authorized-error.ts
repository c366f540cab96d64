import { HttpError } from './http-error';

/**
 * 401: no valid token came with the request; `requireAuth` answers with it on routes that need a user.
 *
 * @example
 * if (!req.currentUser) throw new NotAuthorizedError();
 */
export class NotAuthorizedError extends HttpError {
  constructor(message = 'Not authorized') {
    super(401, message);
  }
}
