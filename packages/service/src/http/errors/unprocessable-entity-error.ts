import { HttpError } from './http-error';

export class UnprocessableEntityError extends HttpError {
  constructor(message = 'Unprocessable entity') {
    super(422, message);
  }
}
