import { UnsupportedServerError, isDatabaseUnavailable, type Logger } from '@ticketing/bus';
import { SchemaNotReadyError } from '../database/migrate';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
/** A wait this long is no longer a normal cold start: the tries are logged as warnings from then on. */
const WARN_AFTER_MS = 30_000;

/** What start-up waits for, as /readyz and the logs name it. */
export type Dependency = 'database' | 'schema' | 'nats';

export interface WaitOptions {
  logger: Logger;
  /** When to give up (epoch ms); undefined waits without limit. */
  deadline?: number;
  /** Ends the wait at once (a shutdown during start-up): the wait rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Told of every failed try: what failed and when the next try comes. */
  onRetry?: (reason: string, nextAttemptInMs: number) => void;
}

/** PostgreSQL's "database does not exist": at start-up, one that is yet to be created (a fresh cluster). */
const INVALID_CATALOG_NAME = '3D000';

function hasCode(error: unknown, code: string): boolean {
  for (let cause = error, depth = 0; cause && depth < 10; depth++) {
    if ((cause as { code?: unknown }).code === code) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether waiting can fix this failure to reach `dependency`, rather than it being a mistake to report. */
function isWaitable(dependency: Dependency, error: unknown): boolean {
  switch (dependency) {
    case 'database':
      return isDatabaseUnavailable(error) || hasCode(error, INVALID_CATALOG_NAME);
    case 'schema':
      return error instanceof SchemaNotReadyError || isWaitable('database', error);
    case 'nats':
      return !(error instanceof UnsupportedServerError);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `connect` until it succeeds, while the dependency is not up yet: a service started before its
 * database or its bus (a fresh cluster, a restart during an outage) waits for them, logging each try with
 * the next one's time (at info, then at warn once the wait is long), rather than crash-looping. Backs off
 * from 0.25 s doubling to 5 s. Gives up at `deadline`, and at once on a failure that waiting cannot fix
 * (a nats-server too old, a migration that fails on its own).
 *
 * @example
 * const bus = await waitForDependency('nats', () => Bus.connect(options), { logger, deadline: Date.now() + 120_000 });
 */
export async function waitForDependency<T>(
  dependency: Dependency,
  connect: () => Promise<T>,
  { logger, deadline, signal, onRetry }: WaitOptions,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      const result = await connect();
      if (attempt > 1) logger.info({ dependency, attempts: attempt }, `${dependency} is available`);
      return result;
    } catch (error) {
      signal?.throwIfAborted();
      if (!isWaitable(dependency, error)) throw error;
      if (deadline !== undefined && Date.now() >= deadline) {
        throw new Error(`gave up waiting for ${dependency} (STARTUP_DEPENDENCY_TIMEOUT_SECONDS)`, {
          cause: error,
        });
      }
      const delayMs = Math.min(
        FIRST_DELAY_MS * 2 ** (attempt - 1),
        MAX_DELAY_MS,
        deadline === undefined ? MAX_DELAY_MS : Math.max(0, deadline - Date.now()),
      );
      const reason = reasonOf(error);
      onRetry?.(reason, delayMs);
      const level = Date.now() - started < WARN_AFTER_MS ? 'info' : 'warn';
      logger[level](
        { dependency, attempt, nextAttemptInMs: delayMs, reason },
        `waiting for ${dependency}: ${reason}; next attempt in ${delayMs} ms`,
      );
      await pause(delayMs, signal);
    }
  }
}
