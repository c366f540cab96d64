import { UnsupportedServerError } from '../bus/server-requirements';
import { isDatabaseUnavailable } from '../errors/dependency-unavailable';
import type { Logger } from '../observability/logger';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Runs `connect` until it succeeds, while the dependency is not up yet: a service started before its
 * database or its bus (a fresh cluster, a restart during an outage) waits for them, logging each try,
 * rather than crash-looping. Gives up after `timeoutMs`, and at once on a failure that waiting cannot fix
 * (a nats-server too old, a bad migration).
 *
 * @example
 * const bus = await waitForDependency('nats', () => Bus.connect(options), { logger, timeoutMs: 120_000 });
 */
export async function waitForDependency<T>(
  dependency: 'database' | 'nats',
  connect: () => Promise<T>,
  { logger, timeoutMs }: { logger: Logger; timeoutMs: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const waitable =
        dependency === 'database' ? isDatabaseUnavailable(error) : !(error instanceof UnsupportedServerError);
      if (!waitable || Date.now() >= deadline) throw error;
      const delayMs = Math.min(
        FIRST_DELAY_MS * 2 ** (attempt - 1),
        MAX_DELAY_MS,
        Math.max(0, deadline - Date.now()),
      );
      logger.warn({ err: error, attempt }, `${dependency} is not available yet; retrying in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
