import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { type Logger, currentTrace, runInTrace, traceFromParent } from '@ticketing/bus';
import { routePattern } from '../route-pattern';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Probes and scrapes come every few seconds and say nothing about what users do. */
const UNLOGGED = new Set(['/livez', '/readyz', '/metrics']);

/**
 * One line per request once its response is done, or the client has gone: method, route (its pattern, or
 * the path when none matched), status and duration, as a sentence and as fields, with the user, on the
 * request's logger (its id and trace). Headers only at debug: even redacted, they bury the line.
 */
function logWhenDone(req: Request, res: Response): void {
  const log = req.log;
  const started = performance.now();
  res.once('close', () => {
    const route = routePattern(req) ?? req.originalUrl.split('?')[0] ?? '';
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    // The status of a response never sent is express's default, 200: the line says the client left.
    const aborted = !res.writableFinished;
    log.info(
      {
        method: req.method,
        route,
        status: res.statusCode,
        durationMs,
        userId: req.currentUser?.id,
        ...(aborted && { aborted }),
        ...(log.isLevelEnabled('debug') && { req }),
      },
      `${req.method} ${route} ${res.statusCode} ${durationMs}ms${aborted ? ' (client went away)' : ''}`,
    );
  });
}

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane), a trace (continuing the caller's
 * `traceparent`), and a logger bound to both; logs it once when done. Events enqueued while handling the
 * request carry its trace.
 */
export function requestContext(logger: Logger): RequestHandler[] {
  // pino-http sets `req.id` and `req.log`; the request line is ours, written with `req.log` so that it keeps
  // the trace even when the response closes outside it (a client that leaves).
  const identify = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    quietReqLogger: true,
    autoLogging: false,
  });
  return [
    (req, _res, next) => {
      const header = req.headers.traceparent;
      runInTrace(traceFromParent(typeof header === 'string' ? header : undefined), next);
    },
    identify,
    (req, res, next) => {
      req.log = req.log.child({ traceId: currentTrace()?.traceId });
      if (!UNLOGGED.has(req.path)) logWhenDone(req, res);
      next();
    },
  ];
}
