import { HttpError } from './http-error';

/**
 * 422: well-formed, but not something the service can do; also an Idempotency-Key reused with another
 * request.
 *
 * @example
 * throw new UnprocessableEntityError('This Idempotency-Key was used with a different request');
 */
export class UnprocessableEntityError extends HttpError {
  constructor(message = 'Unprocessable entity') {
    super(422, message);
  }
}
