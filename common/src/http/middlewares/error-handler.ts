import type { ErrorRequestHandler } from 'express';
import { isTransientFailure } from '../../errors/dependency-unavailable';
import { HttpError } from '../errors/http-error';

/** How long a client is asked to wait before retrying while a dependency of ours is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** body-parser marks its own failures with `type`: the client sent a body we could not read. */
function bodyParserError(error: unknown): { status: number; message: string } | undefined {
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === 'entity.parse.failed') return { status: 400, message: 'Request body is not valid JSON' };
  if (type === 'entity.too.large') return { status: 413, message: 'Request body is too large' };
  if (typeof type === 'string' && status && status >= 400 && status < 500)
    return { status, message: 'Unreadable request body' };
  return undefined;
}

/**
 * Renders every error as `{ errors: [{ message, field? }] }`. A dependency of ours that is away (the
 * database down or refusing connections, a transaction that lost a deadlock) is a 503 with `Retry-After`:
 * the same request succeeds later. Errors we did not anticipate are 500 with a generic message: their
 * details go to the log, never to the client.
 */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof HttpError) {
    res.status(error.statusCode).json(error.body());
    return;
  }
  const bodyError = bodyParserError(error);
  if (bodyError) {
    res.status(bodyError.status).json({ errors: [{ message: bodyError.message }] });
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
