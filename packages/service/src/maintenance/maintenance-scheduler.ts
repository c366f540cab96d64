import { sql, type Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { CommonTables } from '../database/common-tables';
import { type Logger, PollingWorker, sharedMetric } from '@ticketing/bus';
import type { BackgroundTask } from '../bootstrap/service-definition';
import { nextRunAfter } from './cron-schedule';
import type { MaintenanceTask } from './maintenance-task';

export interface MaintenanceSchedulerOptions<DB extends CommonTables> {
  db: Kysely<DB>;
  tasks: MaintenanceTask[];
  /** Cron expression for the tasks that name no schedule of their own. */
  defaultSchedule: string;
  logger: Logger;
  metrics: Registry;
}

/** What one attempt at a task came to; `skipped`: another replica was running it. */
export type MaintenanceRun =
  { outcome: 'ran'; removed: number } | { outcome: 'skipped' } | { outcome: 'failed'; error: unknown };

/** The first key of the two-key advisory locks, so that they cannot collide with locks taken by others. */
const LOCK_NAMESPACE = 'ticketing.maintenance';
/** setTimeout's limit is about 24.8 days; a longer wait is taken in steps. */
const LONGEST_SLEEP_MS = 86_400_000;

/**
 * Runs each maintenance task on its cron schedule in every replica; a PostgreSQL advisory lock on the
 * task's name lets one replica at a time do the work while the others skip that run. The lock is held by
 * a transaction of its own for the length of the run, so that the task can commit its batches one by one,
 * and it is released if the replica dies.
 */
export class MaintenanceScheduler<DB extends CommonTables> implements BackgroundTask {
  /** One per task, made at start so that each start schedules from its own time. */
  private workers: PollingWorker[] = [];
  private running = false;
  private readonly runs: Counter;
  private readonly removed: Counter;

  constructor(private readonly options: MaintenanceSchedulerOptions<DB>) {
    const names = options.tasks.map((task) => task.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) throw new Error(`Two maintenance tasks are named "${repeated}"`);
    for (const task of options.tasks) nextRunAfter(this.scheduleOf(task), new Date());
    this.runs = sharedMetric(options.metrics, Counter, {
      name: 'maintenance_runs_total',
      help: 'Scheduled maintenance runs, by task and outcome (ran, skipped: another replica ran it, failed)',
      labelNames: ['task', 'outcome'],
    });
    this.removed = sharedMetric(options.metrics, Counter, {
      name: 'maintenance_rows_removed_total',
      help: 'Rows removed by maintenance tasks',
      labelNames: ['task'],
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.workers = this.options.tasks.map((task) => this.onSchedule(task));
    await Promise.all(this.workers.map((worker) => worker.start()));
  }

  /** Interrupts the runs in progress between two batches, and stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  /**
   * Runs `task` now unless another replica is running it; a failure is logged and reported, not thrown.
   * `signal` interrupts the run between two batches; a run asked for without one goes to the end.
   */
  async runExclusively(
    task: MaintenanceTask,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<MaintenanceRun> {
    const started = performance.now();
    const run = await this.options.db
      .transaction()
      .execute(async (trx): Promise<MaintenanceRun> => {
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtext(${LOCK_NAMESPACE}), hashtext(${task.name})) as locked`.execute(
          trx,
        );
        if (!rows[0]?.locked) return { outcome: 'skipped' };
        return { outcome: 'ran', removed: await task.run(signal) };
      })
      .catch((error: unknown): MaintenanceRun => ({ outcome: 'failed', error }));
    this.runs.inc({ task: task.name, outcome: run.outcome });
    const log = { task: task.name, durationMs: Math.round(performance.now() - started) };
    if (run.outcome === 'ran') {
      this.removed.inc({ task: task.name }, run.removed);
      this.options.logger.info({ ...log, removed: run.removed }, 'maintenance task done');
    } else if (run.outcome === 'skipped') {
      this.options.logger.debug(log, 'maintenance task skipped: another replica is running it');
    } else {
      this.options.logger.error({ ...log, err: run.error }, 'maintenance task failed');
    }
    return run;
  }

  private scheduleOf(task: MaintenanceTask): string {
    return task.schedule ?? this.options.defaultSchedule;
  }

  /** Runs the task whenever it is due; a timer that fires a little early only sleeps again. */
  private onSchedule(task: MaintenanceTask): PollingWorker {
    let due: number | undefined;
    return new PollingWorker({
      pollIntervalMs: LONGEST_SLEEP_MS,
      logger: this.options.logger,
      failureMessage: 'maintenance scheduler failed; backing off',
      step: async (signal) => {
        if (due !== undefined && Date.now() >= due) {
          await this.runExclusively(task, signal);
          due = undefined;
        }
        // From now rather than from the last run: a run longer than the interval skips the runs it
        // overlapped.
        due ??= nextRunAfter(this.scheduleOf(task), new Date()).getTime();
        return { sleepMs: Math.min(due - Date.now(), LONGEST_SLEEP_MS) };
      },
    });
  }
}
