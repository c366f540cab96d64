import { InsertNotifications, type InsertNotificationsOptions } from '../database/insert-notifications';
import type { Logger } from '../observability/logger';
import { WakeSignal } from './wake-signal';

/** The first backoff after a failed step, doubled at each further failure in a row. */
const BACKOFF_BASE_MS = 100;

/**
 * What a worker does once its step is done. `'again'`: there is more than one step's worth of work (a full
 * batch, say), so the worker steps again at once and wakes a sleeping fellow worker onto the backlog.
 * `'idle'`: nothing left, so it sleeps `pollIntervalMs`. `{ sleepMs }`: nothing before then (the next row
 * falls due, the next run is scheduled); a time already past steps again at once. A sleep ends early when
 * the worker is woken.
 */
export type NextStep = 'again' | 'idle' | { sleepMs: number };

export interface PollingWorkerOptions {
  /**
   * One unit of work, such as claiming and handling one batch. `signal` aborts at stop: a step that runs
   * long checks it between its batches, since stop waits for the step in flight.
   */
  step: (signal: AbortSignal) => Promise<NextStep>;
  /** Loops stepping at once, each claiming its own work (FOR UPDATE SKIP LOCKED); default 1. */
  workers?: number;
  /**
   * The sleep of a worker that found nothing to do: the fallback poll that catches a lost notification.
   * Also the longest backoff after failures.
   */
  pollIntervalMs: number;
  /** Lets the owner wake the sleeping workers itself; the worker makes its own signal otherwise. */
  wakeSignal?: WakeSignal;
  /**
   * Wakes a sleeping worker on every NOTIFY on `channel` (see `notifyOnInsert`). The worker listens before
   * its first step, so that a row inserted in between still wakes it, and again before every step once
   * the connection was lost.
   */
  listen?: Pick<InsertNotificationsOptions, 'connectionString' | 'channel'>;
  logger: Logger;
  /** Logged with the error of a step that threw, before the worker backs off and tries again. */
  failureMessage: string;
}

/**
 * Runs the owner's `step` in a loop, in one or more workers, until stopped: each step says whether to
 * step again at once or sleep, and sleeps end early on a wake-up (a NOTIFY when `listen` is given). A step
 * that throws is logged and retried after min(100 ms x 2^failures in a row, `pollIntervalMs`). `stop()`
 * wakes the sleepers, aborts the steps' signal and waits for the steps in flight.
 *
 * @example
 * const worker = new PollingWorker({
 *   workers: 2,
 *   pollIntervalMs: 5_000,
 *   listen: { connectionString, channel: 'jobs_inserted' },
 *   logger,
 *   failureMessage: 'job runner failed; backing off',
 *   step: async () => ((await runJobs(100)) === 100 ? 'again' : 'idle'),
 * });
 * await worker.start();
 * // ... at shutdown: the batches in flight finish first.
 * await worker.stop();
 */
export class PollingWorker {
  private readonly signal: WakeSignal;
  private readonly notifications?: InsertNotifications;
  private readonly workers: number;
  private running = false;
  private stopping = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: PollingWorkerOptions) {
    this.workers = options.workers ?? 1;
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new Error('workers must be a positive integer');
    }
    this.signal = options.wakeSignal ?? new WakeSignal();
    if (options.listen) {
      this.notifications = new InsertNotifications({
        ...options.listen,
        signal: this.signal,
        logger: options.logger,
      });
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    await this.notifications?.ensureListening();
    const { signal } = this.stopping;
    this.loops = Array.from({ length: this.workers }, () => this.run(signal));
  }

  /** Lets the steps in flight finish, then stops; nothing more is stepped. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping.abort();
    this.signal.notifyAll();
    await Promise.all(this.loops);
    await this.notifications?.close();
  }

  private async run(stopping: AbortSignal): Promise<void> {
    let failures = 0;
    while (this.running) {
      let sleepMs: number;
      try {
        await this.notifications?.ensureListening();
        const next = await this.options.step(stopping);
        failures = 0;
        if (next === 'again') {
          // Only a fellow worker is worth waking: a wake-up kept for this one would just cost an empty step.
          if (this.workers > 1) this.signal.notify();
          continue;
        }
        sleepMs = next === 'idle' ? this.options.pollIntervalMs : next.sleepMs;
      } catch (error) {
        failures += 1;
        this.options.logger.error({ err: error }, this.options.failureMessage);
        sleepMs = Math.min(BACKOFF_BASE_MS * 2 ** failures, this.options.pollIntervalMs);
      }
      if (sleepMs > 0) await this.signal.wait(sleepMs);
    }
  }
}
