import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { sharedMetric } from '@ticketing/bus';
import { routePattern } from '../route-pattern';

/**
 * Request durations by method, route pattern (not raw path: ids would explode the series) and status. An
 * event stream is left out: its duration is how long a client watched, not how fast we answered, and would
 * only drown the latencies (its refusals, answered as JSON, are counted). Open streams are counted by the
 * notification hub's subscribers gauge; the request log has one line per stream, when it closes.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = sharedMetric(registry, Histogram, {
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  return (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      if (String(res.getHeader('content-type')).startsWith('text/event-stream')) return;
      stop({ method: req.method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}

export function metricsEndpoint(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
}
