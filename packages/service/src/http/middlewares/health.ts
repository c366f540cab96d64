import { Router } from 'express';

/** A dependency the service cannot serve without; resolves when it answers. */
export type ReadinessCheck = () => Promise<unknown>;

/** The state of a dependency the service serves without (e.g. the bus: the outbox absorbs its absence). */
export type StatusReport = () => string;

export interface HealthOptions {
  /** Must all answer for the service to be ready: reported `up`/`down` in the body, and in the status code. */
  readinessChecks: Record<string, ReadinessCheck>;
  /** Reported in /readyz's body only, never in its status code. */
  statusReports?: Record<string, StatusReport>;
  /** While the service is starting: what it waits for (readiness fails, and the checks are not run). */
  startingUp?: () => string | undefined;
  isShuttingDown?: () => boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: ReadinessCheck): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/livez`: the process is up (a failure means restart it). `/readyz`: the service can serve requests (a
 * failure means send it no traffic for now): it has started and every readiness check answers. The body
 * always lists the state of every dependency, the ones that do not decide readiness included:
 * `{ status: 'ready', checks: { database: 'up', bus: 'down' } }`; a 503 also says why
 * (`failures: { database: '...' }`, or `waitingFor` while starting).
 */
export function healthRoutes({
  readinessChecks,
  statusReports = {},
  startingUp = () => undefined,
  isShuttingDown = () => false,
}: HealthOptions): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const reported = Object.fromEntries(
      Object.entries(statusReports).map(([name, report]) => [name, report()]),
    );
    const waitingFor = startingUp();
    if (waitingFor !== undefined) {
      const checks = { ...Object.fromEntries(Object.keys(readinessChecks).map((name) => [name, 'waiting'])) };
      res.status(503).json({ status: 'starting', waitingFor, checks: { ...checks, ...reported } });
      return;
    }
    const names = Object.keys(readinessChecks);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(readinessChecks[name] as ReadinessCheck)),
    );
    const checks: Record<string, string> = {};
    const failures: Record<string, string> = {};
    results.forEach((result, i) => {
      const name = names[i] as string;
      checks[name] = result.status === 'fulfilled' ? 'up' : 'down';
      if (result.status === 'rejected') failures[name] = (result.reason as Error)?.message ?? 'failed';
    });
    if (isShuttingDown()) failures.service = 'shutting down';
    const ready = Object.keys(failures).length === 0;
    res
      .status(ready ? 200 : 503)
      .json(
        ready
          ? { status: 'ready', checks: { ...checks, ...reported } }
          : { status: 'unavailable', checks: { ...checks, ...reported }, failures },
      );
  });
  return router;
}
