import { Router } from 'express';

/** A dependency the service cannot serve without; resolves when it answers. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: ReadinessCheck): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/livez`: the process is up (a failure means restart it). `/readyz`: every dependency answers (a failure
 * means send it no traffic for now); 503 names the ones that do not.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(checks[name] as ReadinessCheck)),
    );
    const failures = Object.fromEntries(
      results.flatMap((result, i) =>
        result.status === 'rejected' ? [[names[i], (result.reason as Error)?.message ?? 'failed']] : [],
      ),
    );
    if (isShuttingDown()) failures.service = 'shutting down';
    const ready = Object.keys(failures).length === 0;
    res.status(ready ? 200 : 503).json(ready ? { status: 'ready' } : { status: 'unavailable', failures });
  });
  return router;
}
