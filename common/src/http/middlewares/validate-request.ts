import type { RequestHandler } from 'express';
import { validationResult } from 'express-validator';
import { RequestValidationError } from '../errors/request-validation-error';

/** Turns express-validator's findings into a 400 with one entry per invalid field. */
export const validateRequest: RequestHandler = (req, _res, next) => {
  const result = validationResult(req);
  if (result.isEmpty()) return next();
  const fieldErrors = result.array({ onlyFirstError: true }).map((error) => ({
    message: String(error.msg),
    field: error.type === 'field' ? error.path : undefined,
  }));
  next(new RequestValidationError(fieldErrors));
};
