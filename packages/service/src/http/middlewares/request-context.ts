import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
// pino-http's types give `req.id` and `req.log`; its serializer writes the request at debug.
import { stdSerializers } from 'pino-http';
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
  const started = performance.now();
  res.once('close', () => {
    const log = req.log;
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
        ...(log.isLevelEnabled('debug') && { req: stdSerializers.req(req) }),
      },
      `${req.method} ${route} ${res.statusCode} ${durationMs}ms${aborted ? ' (client went away)' : ''}`,
    );
  });
}

/**
 * Gives `req` a logger bound to its id and trace, made only when something logs: most requests log nothing
 * below info, and a pino child (bindings serialized, redaction set up) is a fair part of a cheap request.
 */
function bindLogger(req: Request, logger: Logger, reqId: string, traceId: string | undefined): void {
  Object.defineProperty(req, 'log', {
    configurable: true,
    enumerable: true,
    get(): Logger {
      const log = logger.child({ reqId, traceId });
      Object.defineProperty(req, 'log', { value: log, writable: true, configurable: true, enumerable: true });
      return log;
    },
    set(log: Logger) {
      Object.defineProperty(req, 'log', { value: log, writable: true, configurable: true, enumerable: true });
    },
  });
}

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane), a trace (continuing the caller's
 * `traceparent`), and a logger bound to both; logs it once when done. Events enqueued while handling the
 * request carry its trace.
 */
export function requestContext(logger: Logger): RequestHandler[] {
  return [
    (req, res, next) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      req.id = id;
      const header = req.headers.traceparent;
      runInTrace(traceFromParent(typeof header === 'string' ? header : undefined), () => {
        bindLogger(req, logger, id, currentTrace()?.traceId);
        // The line is written with the request's logger, so it keeps the trace even when the response closes
        // outside it (a client that leaves); nothing to arrange when info is off.
        if (logger.isLevelEnabled('info') && !UNLOGGED.has(req.path)) logWhenDone(req, res);
        next();
      });
    },
  ];
}
