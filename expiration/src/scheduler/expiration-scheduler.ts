import {
  Counter,
  enqueueAll,
  Histogram,
  type Logger,
  type NextStep,
  PollingWorker,
  type Registry,
  sharedMetric,
} from '@ticketing/bus';
import { type BackgroundTask } from '@ticketing/service';
import { sql, type Kysely } from 'kysely';
import { EXPIRATIONS_CHANNEL } from '../database/migrations';
import type { ExpirationDatabase } from '../database/schema';

const OTHER_REPLICA_PAUSE_MS = 20;

export interface ExpirationSchedulerOptions {
  db: Kysely<ExpirationDatabase>;
  connectionString: string;
  logger: Logger;
  metrics: Registry;
  /** Expirations fired per transaction: one outbox statement and one delete each. */
  batchSize?: number;
  /** Longest sleep without a notification: bounds how late a row announced by a lost notification fires. */
  maxSleepMs?: number;
}

/**
 * Fires pending expirations when they fall due. It sleeps until the earliest row is due, woken early when
 * rows are inserted, then claims due rows in batches with FOR UPDATE SKIP LOCKED and, in one transaction,
 * writes their expiration.completed events to the outbox and deletes them. Rows that fell due while no
 * scheduler ran fire on the first pass; several replicas can run at once, each row firing exactly once.
 */
export class ExpirationScheduler implements BackgroundTask {
  private readonly worker: PollingWorker;
  private readonly batchSize: number;
  private readonly maxSleepMs: number;
  private readonly fired: Counter;
  private readonly lag: Histogram;

  constructor(private readonly options: ExpirationSchedulerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxSleepMs = options.maxSleepMs ?? 10_000;
    this.worker = new PollingWorker({
      pollIntervalMs: this.maxSleepMs,
      // Listening starts before the first look at the table: a row inserted in between still wakes it.
      listen: { connectionString: options.connectionString, channel: EXPIRATIONS_CHANNEL },
      logger: options.logger,
      failureMessage: 'expiration scheduler failed; backing off',
      step: () => this.fireWhatIsDue(),
    });
    this.fired = sharedMetric(options.metrics, Counter, {
      name: 'expirations_fired_total',
      help: 'Pending expirations that fell due and were written to the outbox',
    });
    this.lag = sharedMetric(options.metrics, Histogram, {
      name: 'expiration_fire_lag_seconds',
      help: 'Time from an expiry being due to its expiration.completed being committed to the outbox',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 60],
    });
  }

  async start(): Promise<void> {
    await this.worker.start();
  }

  /** Finishes the batch in flight, then stops; what is left fires on the next scheduler. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }

  private async fireWhatIsDue(): Promise<NextStep> {
    const untilDue = await this.msUntilNextDue();
    if (untilDue > 0) return { sleepMs: Math.min(untilDue, this.maxSleepMs) };
    const fired = await this.fireDueBatch();
    // Due rows another replica holds: give it a moment rather than spinning on them.
    return fired === 0 ? { sleepMs: OTHER_REPLICA_PAUSE_MS } : 'again';
  }

  /** 0 when a row is due; measured on the database's clock, which is the one rows are claimed by. */
  private async msUntilNextDue(): Promise<number> {
    const { wait_ms } = await this.options.db
      .selectFrom('pending_expirations')
      .select(
        sql<number | null>`ceil(extract(epoch from min(expires_at) - clock_timestamp()) * 1000)::float8`.as(
          'wait_ms',
        ),
      )
      .executeTakeFirstOrThrow();
    return wait_ms === null ? this.maxSleepMs : Math.max(0, wait_ms);
  }

  private async fireDueBatch(): Promise<number> {
    const fired = await this.options.db.transaction().execute(async (trx) => {
      // The relay's planner trap (see OutboxRelay): with statistics lagging a burst of inserts, the planner
      // sorts a bitmap scan of every due row instead of walking the index in order up to the limit.
      await sql`set local enable_bitmapscan = off`.execute(trx);
      const claimed = await trx
        .with(
          (cte) => cte('due').materialized(),
          (db) =>
            db
              .selectFrom('pending_expirations')
              .select('order_id')
              .where('expires_at', '<=', sql<Date>`now()`)
              .orderBy('expires_at')
              .limit(this.batchSize)
              .forUpdate()
              .skipLocked(),
        )
        .deleteFrom('pending_expirations')
        .where('order_id', 'in', (eb) => eb.selectFrom('due').select('due.order_id'))
        .returning(['order_id', 'expires_at'])
        .execute();
      if (claimed.length > 0) {
        await enqueueAll(
          trx,
          claimed.map((row) => ({ subject: 'expiration.completed', data: { orderId: row.order_id } })),
        );
      }
      return claimed;
    });
    const now = Date.now();
    for (const row of fired) this.lag.observe((now - row.expires_at.getTime()) / 1000);
    this.fired.inc(fired.length);
    if (fired.length > 0) this.options.logger.debug({ count: fired.length }, 'expirations fired');
    return fired.length;
  }
}
