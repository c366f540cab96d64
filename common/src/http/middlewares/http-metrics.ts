import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { sharedMetric } from '../../observability/metrics';

/**
 * Request durations by method, route pattern (not raw path: ids would explode the series) and status. An
 * event stream is left out: its duration is how long a client watched, not how fast we answered, and would
 * only drown the latencies (its refusals, answered as JSON, are counted). Open streams are counted by the
 * notification hub's subscribers gauge. Logs need nothing: pino-http logs a stream once, when it closes.
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
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

export function metricsEndpoint(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
}
