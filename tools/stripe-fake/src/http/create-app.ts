import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { newRequestId } from '../ids';
import { StripeError, stripeErrorBody } from '../stripe-error';
import { errorResponse, sendJson } from './json-response';
import { unrecognizedUrl } from './unrecognized-url';

/** Body limit well above anything the SDK sends for these endpoints. */
const BODY_LIMIT = '1mb';

export function createApp(api: Router, controls: Router): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('Request-Id', newRequestId());
    next();
  });
  // Bodies are read as text whatever their type: the fake parses Stripe's nested form encoding itself.
  app.use(express.text({ type: () => true, limit: BODY_LIMIT }));
  app.use('/v1', api);
  app.use('/_fake', controls);
  app.use((req, res) => sendJson(res, errorResponse(unrecognizedUrl(req))));
  app.use(unreadableBody);
  return app;
}

/** Bodies too large, cut short or in an unknown charset: the client's fault, so a 4xx as Stripe would. */
const unreadableBody: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const status =
    typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
  const message = error instanceof Error ? error.message : String(error);
  const clientError = status >= 400 && status < 500;
  sendJson(
    res,
    errorResponse(
      clientError ? new StripeError(status, stripeErrorBody('invalid_request_error', message)) : error,
    ),
  );
};
