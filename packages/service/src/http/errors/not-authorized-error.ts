import { HttpError } from './http-error';

export class NotAuthorizedError extends HttpError {
  constructor(message = 'Not authorized') {
    super(401, message);
  }
}
