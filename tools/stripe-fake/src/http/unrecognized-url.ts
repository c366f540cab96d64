import type { Request } from 'express';
import { StripeError, stripeErrorBody } from '../stripe-error';
import { requestPath } from './request-params';

export function unrecognizedUrl(req: Request): StripeError {
  return new StripeError(
    404,
    stripeErrorBody(
      'invalid_request_error',
      `Unrecognized request URL (${req.method}: ${requestPath(req)}). Please see https://stripe.com/docs ` +
        'or we can help at https://support.stripe.com/.',
    ),
  );
}
