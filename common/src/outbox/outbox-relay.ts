import { headers as natsHeaders } from '@nats-io/transport-node';
import { sql, type Kysely } from 'kysely';
import type { Bus } from '../bus/bus';
import { OUTBOX_CHANNEL } from '../database/common-migrations';
import { InsertNotifications } from '../database/insert-notifications';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import type { Logger } from '../observability/logger';
import { Counter, Histogram, Registry } from 'prom-client';
import { sharedMetric } from '../observability/metrics';
import { WakeSignal } from './wake-signal';

export interface OutboxRelayOptions<DB extends CommonTables> {
  db: Kysely<DB>;
  /** LISTEN needs a connection of its own, outside the pool. */
  connectionString: string;
  bus: Bus;
  logger: Logger;
  metrics?: Registry;
  /** Rows claimed per transaction, all published concurrently. */
  batchSize?: number;
  /**
   * Batches in flight at once (each claims its own rows): overlaps one batch's database round trips with
   * another's publishes. Publishes in flight are bounded by workers x batchSize.
   */
  workers?: number;
  /** Fallback poll, for a lost notification or a row whose retry time has come. */
  pollIntervalMs?: number;
  /** Backoff for a row whose publish failed: min(base * 2^attempts, max). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

interface ClaimedRow {
  seq: string;
  event_id: string;
  subject: string;
  envelope: string;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * Publishes committed outbox rows to JetStream. Several relays (one per replica) can run on one outbox:
 * each claims a batch with FOR UPDATE SKIP LOCKED, publishes it with msgID = event id and awaits the
 * PubAcks, then marks the rows sent in the same transaction. A relay that dies after publishing leaves its
 * rows unsent; the next one publishes them again and the server drops the copies by msgID.
 */
export class OutboxRelay<DB extends CommonTables> {
  private readonly db: Kysely<CommonTables>;
  private readonly signal = new WakeSignal();
  private readonly batchSize: number;
  /** The LISTEN connection, shared by the workers; reopened when lost. */
  private readonly notifications: InsertNotifications;
  private loops: Promise<void>[] = [];
  private running = false;
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly lag: Histogram;

  constructor(private readonly options: OutboxRelayOptions<DB>) {
    this.db = withCommonTables(options.db);
    this.notifications = new InsertNotifications({
      connectionString: options.connectionString,
      channel: OUTBOX_CHANNEL,
      signal: this.signal,
      logger: options.logger,
    });
    this.batchSize = options.batchSize ?? 256;
    const registry = options.metrics ?? new Registry();
    this.published = sharedMetric(registry, Counter, {
      name: 'outbox_published_total',
      help: 'Events published from the outbox',
    });
    this.failures = sharedMetric(registry, Counter, {
      name: 'outbox_publish_failures_total',
      help: 'Outbox publishes that failed and will be retried',
    });
    this.lag = sharedMetric(registry, Histogram, {
      name: 'outbox_publish_lag_seconds',
      help: 'Time from the commit of an event to its PubAck',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.notifications.ensureListening();
    this.loops = Array.from({ length: this.options.workers ?? 2 }, () => this.run());
  }

  /** Finishes the batch in flight, then stops; unsent rows wait for the next relay. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal.notifyAll();
    await Promise.all(this.loops);
    await this.notifications.close();
  }

  private async run(): Promise<void> {
    const pollIntervalMs = this.options.pollIntervalMs ?? 5_000;
    let consecutiveErrors = 0;
    while (this.running) {
      try {
        await this.notifications.ensureListening();
        const claimed = await this.publishBatch();
        consecutiveErrors = 0;
        if (claimed === this.batchSize) {
          // A backlog: get another worker on it too.
          this.signal.notify();
          continue;
        }
        await this.signal.wait(pollIntervalMs);
      } catch (error) {
        consecutiveErrors += 1;
        this.options.logger.error({ err: error }, 'outbox relay failed; backing off');
        await this.signal.wait(Math.min(100 * 2 ** consecutiveErrors, pollIntervalMs));
      }
    }
  }

  private async publishBatch(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // The table's statistics lag behind a burst of inserts, and the planner then prefers sorting a bitmap
      // scan of the whole backlog over walking the partial index in order, ten times slower per batch.
      await sql`set local enable_bitmapscan = off`.execute(trx);
      const rows = (await trx
        .selectFrom('outbox')
        .select(['seq', 'event_id', 'subject', 'envelope', 'headers', 'created_at'])
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('seq')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()
        .execute()) as ClaimedRow[];
      if (rows.length === 0) return 0;

      const outcomes = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((row) => row.seq);
      if (sent.length > 0) {
        await trx
          .updateTable('outbox')
          .set({ sent_at: sql`now()` })
          .where('seq', 'in', sent)
          .execute();
      }
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        const row = rows[i] as ClaimedRow;
        this.failures.inc();
        const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        this.options.logger.warn(
          { eventId: row.event_id, subject: row.subject, reason },
          'publish failed; will retry',
        );
        const base = this.options.retryBaseDelayMs ?? 250;
        const max = this.options.retryMaxDelayMs ?? 60_000;
        await trx
          .updateTable('outbox')
          .set((eb) => ({
            attempts: eb('attempts', '+', 1),
            last_error: reason.slice(0, 1000),
            next_attempt_at: sql`now() + least(${base}::float8 * power(2, attempts), ${max}::float8) * interval '1 millisecond'`,
          }))
          .where('seq', '=', row.seq)
          .execute();
      }
      return rows.length;
    });
  }

  private async publish(row: ClaimedRow): Promise<void> {
    const messageHeaders = natsHeaders();
    for (const [name, value] of Object.entries(row.headers)) messageHeaders.set(name, value);
    await this.options.bus.js.publish(this.options.bus.wireSubject(row.subject), row.envelope, {
      msgID: row.event_id,
      headers: messageHeaders,
    });
    this.published.inc();
    this.lag.observe((Date.now() - row.created_at.getTime()) / 1000);
  }
}
