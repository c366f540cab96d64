import { headers as natsHeaders } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Bus } from '../bus';
import { OUTBOX_CHANNEL } from '../database/bus-migrations';
import { createPool } from '../database/create-database';
import type { Logger } from '../observability/logger';
import { Counter, Histogram, Registry } from 'prom-client';
import { sharedMetric } from '../observability/metrics';
import { PollingWorker } from '../worker/polling-worker';
import { WakeSignal } from '../worker/wake-signal';
import { PubAckPublisher } from './pub-ack-publisher';

export interface OutboxRelayOptions {
  /** The service's database: the relay keeps connections of its own, one per worker and one to LISTEN. */
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
  /**
   * Backoff for a row whose publish failed: min(base * 2^attempts, max). Kept short: a publish fails when
   * the bus is away, and the row should go out within seconds of its return.
   */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

interface ClaimedRow {
  seq: string;
  event_id: string;
  subject: string;
  envelope: string;
  headers: string;
  created_ms: number;
}

/** A sequence number as it may be inlined in SQL: digits only, as the database sends a bigint. */
function bigintLiteral(value: string): string {
  if (!/^\d+$/.test(value)) throw new Error(`unexpected outbox sequence number ${JSON.stringify(value)}`);
  return value;
}

/**
 * Publishes committed outbox rows to JetStream. Several relays (one per replica) can run on one outbox:
 * each claims a batch with FOR UPDATE SKIP LOCKED, publishes it with msgID = event id and awaits the
 * PubAcks, then marks the rows sent in the same transaction. A relay that dies after publishing leaves its
 * rows unsent; the next one publishes them again and the server drops the copies by msgID.
 *
 * A batch costs two round trips to the database, whatever its size: the claim goes out with its BEGIN, and
 * the marking with its COMMIT, as multi-statement simple queries on the relay's own connections (a
 * round trip costs more than the statements in it). Their only inputs are numbers, inlined.
 *
 * The batch is published through a `PubAckPublisher` (core publishes, PubAcks matched on one inbox), not
 * `js.publish`, which builds a `RequestError` per publish: half of the relay's CPU per event.
 */
export class OutboxRelay {
  /** Shared by the workers, so that the rows rescheduled on the bus's return wake every one. */
  private readonly signal = new WakeSignal();
  private readonly batchSize: number;
  private readonly claimSql: string;
  /** One connection per worker, opened at start and closed at stop. */
  private pool?: pg.Pool;
  /** Woken by the outbox's notifications, on one LISTEN connection for all the workers. */
  private readonly worker: PollingWorker;
  private running = false;
  /** Core publishes with their PubAcks matched on one inbox: no `RequestError` built per publish. */
  private publisher?: PubAckPublisher;
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly lag: Histogram;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error('batchSize must be a positive integer');
    }
    this.worker = new PollingWorker({
      workers: this.workers,
      pollIntervalMs: options.pollIntervalMs ?? 5_000,
      wakeSignal: this.signal,
      listen: { connectionString: options.connectionString, channel: OUTBOX_CHANNEL },
      logger: options.logger,
      failureMessage: 'outbox relay failed; backing off',
      // A full batch means a backlog: this worker claims the next at once, and another is woken onto it.
      step: async () => ((await this.publishBatch()) === this.batchSize ? 'again' : 'idle'),
    });
    // The table's statistics lag behind a burst of inserts, and the planner then prefers sorting a bitmap
    // scan of the whole backlog over walking the partial index in order, ten times slower per batch.
    this.claimSql = `begin;
      set local enable_bitmapscan = off;
      select seq, event_id, subject, envelope, headers::text as headers,
        (extract(epoch from created_at) * 1000)::float8 as created_ms
      from outbox where sent_at is null and next_attempt_at <= now()
      order by seq limit ${this.batchSize} for update skip locked`;
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

  private openPool(): pg.Pool {
    const { connectionString, logger } = this.options;
    return createPool({
      connectionString,
      maxConnections: this.workers,
      applicationName: 'outbox-relay',
      // The batch in progress fails, its transaction gone with the connection; the next one reconnects.
      onConnectionLost: (error) => logger.warn({ err: error }, 'outbox relay connection lost'),
    });
  }

  private get workers(): number {
    return this.options.workers ?? 2;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pool = this.openPool();
    this.publisher = new PubAckPublisher(this.options.bus.connection);
    await this.worker.start();
    void this.retryOnReconnect();
  }

  /** When the bus is back, the rows that failed while it was away go out at once, not at their retry time. */
  private async retryOnReconnect(): Promise<void> {
    for await (const status of this.options.bus.connection.status()) {
      if (!this.running) return;
      if (status.type !== 'reconnect' || !this.pool) continue;
      await this.pool
        .query('update outbox set next_attempt_at = now() where sent_at is null and next_attempt_at > now()')
        .then(() => this.signal.notifyAll())
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'could not reschedule failed publishes'),
        );
    }
  }

  /** Finishes the batch in flight, then stops; unsent rows wait for the next relay. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.worker.stop();
    await this.pool?.end();
    this.pool = undefined;
    this.publisher?.close();
    this.publisher = undefined;
  }

  private async publishBatch(): Promise<number> {
    if (!this.pool) return 0;
    const client = await this.pool.connect();
    try {
      const results = (await client.query(this.claimSql)) as unknown as pg.QueryResult<ClaimedRow>[];
      const rows = results[results.length - 1]?.rows ?? [];
      if (rows.length === 0) {
        await client.query('commit');
        client.release();
        return 0;
      }
      const outcomes = await this.publishAll(rows);
      const sent: string[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const row = rows[i] as ClaimedRow;
        if (outcome.status === 'fulfilled') sent.push(bigintLiteral(row.seq));
        else await this.recordFailure(client, row, outcome.reason);
      }
      // Inlined, the sequence numbers spare the marking a round trip of its own.
      const markSent =
        sent.length > 0 ? `update outbox set sent_at = now() where seq in (${sent.join(',')});` : '';
      await client.query(`${markSent} commit`);
      client.release();
      return rows.length;
    } catch (error) {
      // The connection may be mid-transaction or broken: it is closed rather than reused, which rolls back.
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async recordFailure(client: pg.PoolClient, row: ClaimedRow, error: unknown): Promise<void> {
    this.failures.inc();
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(
      { eventId: row.event_id, subject: row.subject, reason },
      'publish failed; will retry',
    );
    await client.query(
      `update outbox set attempts = attempts + 1, last_error = $2,
        next_attempt_at = now() + least($3::float8 * power(2, attempts), $4::float8) * interval '1 millisecond'
      where seq = $1`,
      [
        row.seq,
        reason.slice(0, 1000),
        this.options.retryBaseDelayMs ?? 250,
        this.options.retryMaxDelayMs ?? 5_000,
      ],
    );
  }

  /** Publishes the batch at once and awaits every PubAck; a row counts as sent only with its PubAck. */
  private async publishAll(rows: ClaimedRow[]): Promise<PromiseSettledResult<unknown>[]> {
    const publisher = this.publisher ?? new PubAckPublisher(this.options.bus.connection);
    this.publisher = publisher;
    const outcomes = await publisher.publishBatch(
      rows.map((row) => {
        const messageHeaders = natsHeaders();
        for (const [name, value] of Object.entries(JSON.parse(row.headers) as Record<string, string>)) {
          messageHeaders.set(name, value);
        }
        return {
          subject: this.options.bus.wireSubject(row.subject),
          data: row.envelope,
          headers: messageHeaders,
          msgID: row.event_id,
        };
      }),
    );
    const now = Date.now();
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status !== 'fulfilled') continue;
      this.published.inc();
      this.lag.observe((now - (rows[i] as ClaimedRow).created_ms) / 1000);
    }
    return outcomes;
  }
}
