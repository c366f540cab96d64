import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger';
import { NotFoundError } from './errors/not-found-error';
import { currentUser, type AuthenticationOptions } from './middlewares/current-user';
import { errorHandler } from './middlewares/error-handler';
import { healthRoutes, type ReadinessCheck } from './middlewares/health';
import { httpMetrics, metricsEndpoint } from './middlewares/http-metrics';
import { jsonBody } from './middlewares/json-body';
import { requestContext } from './middlewares/request-context';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Registry;
  readinessChecks: Record<string, ReadinessCheck>;
  isShuttingDown?: () => boolean;
  /** How bearer tokens and session cookies are verified; every route sees `req.currentUser`. */
  authentication: AuthenticationOptions;
  /** Mounts the service's own routes. */
  routes: (app: Express) => void;
}

/**
 * The express app every service serves: request ids, logs and traces; probes and metrics; JSON bodies
 * (the raw bytes kept for signature checks); the service's routes; 404 for the rest; one error format.
 * Nothing here holds a response back: a compression middleware would buffer live event streams.
 */
export function createHttpApp(options: HttpAppOptions) {
  const { logger, metrics, readinessChecks, isShuttingDown = () => false, routes } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(healthRoutes(readinessChecks, isShuttingDown));
  app.get('/metrics', metricsEndpoint(metrics));
  app.use(jsonBody());
  app.use(currentUser(options.authentication));
  routes(app);
  app.use((_req, _res, next) => next(new NotFoundError('Route not found')));
  app.use(errorHandler);
  return app;
}
