import type { ErrorRequestHandler } from 'express';
import { isTransientFailure } from '@ticketing/bus';
import { HttpError } from '../errors/http-error';

/** How long a client is asked to wait before retrying while a dependency of ours is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * Renders every error as `{ errors: [{ message, field? }] }`. A dependency of ours that is away (the
 * database down or refusing connections, a transaction that lost a deadlock) is a 503 with `Retry-After`:
 * the same request succeeds later. Errors we did not anticipate are 500 with a generic message: their
 * details go to the log, never to the client.
 *
 * @example
 * app.use(routes);
 * app.use(errorHandler); // last: express finds error handlers by their four parameters
 */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof HttpError) {
    res.status(error.statusCode).json(error.body());
    return;
  }
  const clientError = clientErrorStatus(error);
  if (clientError) {
    // Express's own refusals, such as a path that is not valid percent-encoding: the request's fault.
    res.status(clientError).json({ errors: [{ message: clientErrorMessage(error, clientError) }] });
    return;
  }
  if (isTransientFailure(error)) {
    req.log?.warn({ err: error }, 'dependency unavailable');
    res
      .status(503)
      .set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .json({ errors: [{ message: 'The service is briefly unavailable; retry shortly' }] });
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  res.status(500).json({ errors: [{ message: 'Something went wrong' }] });
};

/** The 4xx status an error from express or its middleware carries (http-errors style), if it has one. */
function clientErrorStatus(error: unknown): number | undefined {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function clientErrorMessage(error: unknown, status: number): string {
  if (error instanceof URIError) return 'The path is not valid percent-encoding';
  const exposed = error as { expose?: unknown; message?: unknown };
  return exposed.expose === true && typeof exposed.message === 'string'
    ? exposed.message
    : `Bad request (${status})`;
}
