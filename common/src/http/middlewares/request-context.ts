import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../observability/logger';
import { currentTrace, runInTrace, traceFromParent } from '../../observability/trace-context';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane), a trace (continuing the caller's
 * `traceparent`), and a child logger that logs the request when it completes. Events enqueued while handling
 * the request carry its trace.
 */
export function requestContext(logger: Logger): RequestHandler[] {
  const log = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: () => ({ traceId: currentTrace()?.traceId }),
    autoLogging: { ignore: (req) => req.url === '/livez' || req.url === '/readyz' || req.url === '/metrics' },
  });
  return [
    (req, _res, next) => {
      const header = req.headers.traceparent;
      runInTrace(traceFromParent(typeof header === 'string' ? header : undefined), next);
    },
    log,
  ];
}
