import { HttpError } from './http-error';

/**
 * 400: the request is wrong as a whole, beyond a field's schema (see `RequestValidationError` for fields).
 *
 * @example
 * throw new BadRequestError('Cannot pay for a cancelled order');
 */
export class BadRequestError extends HttpError {
  constructor(message = 'Bad request') {
    super(400, message);
  }
}
