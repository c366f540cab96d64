import { HttpError } from './http-error';

/**
 * 404: no such resource, or none the caller may know of.
 *
 * @example
 * const ticket = await findTicket(db, id);
 * if (!ticket) throw new NotFoundError('Ticket not found');
 */
export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}
