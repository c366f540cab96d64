import { HttpError, type ErrorItem } from './http-error';

/**
 * 400 with one entry per invalid field, so that a client fixes all of them at once.
 *
 * @example
 * throw new RequestValidationError([{ field: 'price', message: 'price must be at least 50' }]);
 */
export class RequestValidationError extends HttpError {
  constructor(readonly fieldErrors: ErrorItem[]) {
    super(400, 'Invalid request');
  }

  override serialize(): ErrorItem[] {
    return this.fieldErrors;
  }
}
