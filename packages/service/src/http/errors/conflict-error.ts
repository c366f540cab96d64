import { HttpError } from './http-error';

/**
 * 409: the request collides with the resource's current state (a ticket already reserved): the same
 * request fails again until that state changes.
 *
 * @example
 * throw new ConflictError('Ticket is already reserved');
 */
export class ConflictError extends HttpError {
  constructor(message = 'Conflict') {
    super(409, message);
  }
}
