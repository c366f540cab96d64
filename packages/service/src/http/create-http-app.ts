import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '@ticketing/bus';
import { NotFoundError } from './errors/not-found-error';
import { currentUser, type AuthenticationOptions } from './middlewares/current-user';
import { errorHandler, UNAVAILABLE_RETRY_AFTER_SECONDS } from './middlewares/error-handler';
import { healthRoutes, type ReadinessCheck, type StatusReport } from './middlewares/health';
import { httpMetrics, metricsEndpoint } from './middlewares/http-metrics';
import { jsonBody } from './middlewares/json-body';
import { requestContext } from './middlewares/request-context';

/** What `createHttpApp` needs: logs and metrics, what readiness means, how to authenticate, the routes. */
export interface HttpAppOptions {
  logger: Logger;
  metrics: Registry;
  /** What the service cannot serve without: /readyz is 503 while one fails. */
  readinessChecks: Record<string, ReadinessCheck>;
  /** Dependencies it serves without (the bus): shown in /readyz's body, never in its status. */
  statusReports?: Record<string, StatusReport>;
  /**
   * While the service is starting, what it waits for: /readyz is 503 saying so, and every other route
   * (but /livez and /metrics) answers 503 with Retry-After.
   */
  startingUp?: () => string | undefined;
  isShuttingDown?: () => boolean;
  /** How bearer tokens and session cookies are verified; every route sees `req.currentUser`. */
  authentication: AuthenticationOptions;
  /** Mounts the service's own routes. */
  routes: (app: Express) => void;
}

/**
 * The express app every service serves: request ids, logs and traces; probes and metrics; 503 for the
 * rest while starting; JSON bodies (the raw bytes kept for signature checks); the service's routes; 404 for
 * the rest; one error format.
 * Nothing here holds a response back: a compression middleware would buffer live event streams.
 * `launchService` builds it; call it yourself to serve routes without the rest of a service.
 *
 * @example
 * const app = createHttpApp({
 *   logger,
 *   metrics,
 *   readinessChecks: { database: () => sql`select 1`.execute(db) },
 *   authentication: { jwtKey: config.JWT_KEY },
 *   routes: (app) => app.use(ordersApi.router(context)),
 * });
 * createServer(app).listen(3000);
 */
export function createHttpApp(options: HttpAppOptions) {
  const {
    logger,
    metrics,
    readinessChecks,
    statusReports,
    startingUp = () => undefined,
    isShuttingDown = () => false,
    routes,
  } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(healthRoutes({ readinessChecks, statusReports, startingUp, isShuttingDown }));
  app.get('/metrics', metricsEndpoint(metrics));
  app.use((_req, res, next) => {
    if (startingUp() === undefined) return next();
    res
      .status(503)
      .set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .json({ errors: [{ message: 'The service is starting; retry shortly' }] });
  });
  app.use(jsonBody());
  app.use(currentUser(options.authentication));
  routes(app);
  app.use((_req, _res, next) => next(new NotFoundError('Route not found')));
  app.use(errorHandler);
  return app;
}
