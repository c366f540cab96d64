import { HttpError } from './http-error';

/**
 * 403: the caller is known but may not do this (another buyer's order, an admin route).
 *
 * @example
 * if (order.user_id !== user.id) throw new ForbiddenError('Not your order');
 */
export class ForbiddenError extends HttpError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}
