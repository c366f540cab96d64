import { HttpError, type ErrorItem } from './http-error';

/** 400 with one entry per invalid field. */
export class RequestValidationError extends HttpError {
  constructor(readonly fieldErrors: ErrorItem[]) {
    super(400, 'Invalid request');
  }

  override serialize(): ErrorItem[] {
    return this.fieldErrors;
  }
}
