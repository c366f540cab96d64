import { AckPolicy, DeliverPolicy, type ConsumerConfig, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Bus } from '../bus';
import { isTransientFailure } from '../errors/dependency-unavailable';
import { withBusTables, type BusTables } from '../database/bus-tables';
import { parseEnvelope, type EventEnvelope, streamOf } from '@ticketing/contracts';
import type { Logger } from '../observability/logger';
import { sharedMetric } from '../observability/metrics';
import { runInTrace, traceFromParent, type TraceContext } from '../observability/trace-context';
import { publishDeadLetter } from './dead-letter';
import { RetryLater, type AnyEventListener } from './event-listener';

export interface ListenerRunnerOptions<DB extends BusTables> {
  /** The consuming service: replicas of one service share its durable consumers. */
  service: string;
  listener: AnyEventListener<DB>;
  db: Kysely<DB>;
  bus: Bus;
  logger: Logger;
  metrics?: Registry;
  /** Transactions in flight at once. */
  concurrency?: number;
  /** Most messages handled in one transaction. */
  batchSize?: number;
  /** How long the server waits for an ack before redelivering (a crashed or stuck handler). */
  ackWaitMs?: number;
  /**
   * Failed runs of the handler after which a message goes to the dead-letter subject. Failures of our own
   * infrastructure (see `isTransientFailure`) do not count: they are retried until it is back.
   */
  maxDeliveries?: number;
  /** Deliveries a message may come before its predecessor before it is dead-lettered. */
  maxEarlyDeliveries?: number;
  /** Redelivery delay after a failure: min(base * 2^(deliveries-1), max). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /**
   * The longest wait between tries while the infrastructure is away: short, so that events flow again
   * within seconds of its return.
   */
  unavailableMaxDelayMs?: number;
}

/**
 * The durable consumer name of `service` for `subject`: one per service and subject, shared by the
 * service's replicas.
 *
 * @example
 * durableName('orders', 'expiration.completed'); // 'orders-expiration-completed'
 */
export function durableName(service: string, subject: string): string {
  return `${service}-${subject.replaceAll('.', '-')}`;
}

/** How long one pull waits for messages; also how long a stop may wait for the pull in progress. */
const PULL_EXPIRES_MS = 1_000;
const PULL_RETRY_DELAY_MS = 250;
/** Messages whose failures this replica counts at once; beyond it the oldest counts are forgotten. */
const MAX_COUNTED_MESSAGES = 10_000;
const OUTAGE_WARNING_INTERVAL_MS = 5_000;

interface ReceivedEvent {
  msg: JsMsg;
  envelope: EventEnvelope;
  trace: TraceContext;
  log: Logger;
}

interface Tries {
  failed: number;
  early: number;
}

class EarlyEvent extends Error {
  constructor(readonly retry: RetryLater) {
    super(retry.reason);
  }
}

/**
 * Runs one listener on its durable pull consumer. Messages are handled in database transactions together
 * with their inbox records, so a redelivered event is acknowledged without a second effect and a failed
 * handler leaves nothing behind. Failures are redelivered with backoff; invalid messages and
 * messages that keep failing go to `dlq.<subject>`, and the consumer carries on.
 *
 * @example
 * const listener = paymentCreatedListener;
 * const runner = new ListenerRunner({ service: 'receipts', listener, db, bus, logger });
 * await runner.start();
 * // ... at shutdown, before closing the bus and the database:
 * await runner.stop();
 */
export class ListenerRunner<DB extends BusTables> {
  readonly durable: string;
  private readonly stream: string;
  private loop?: Promise<void>;
  /** Received, not yet handed to a transaction. */
  private readonly waiting: JsMsg[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private dispatchScheduled = false;
  /**
   * Per message (by stream sequence): handler failures, and deliveries that came before their
   * predecessor. Outages of our infrastructure are not counted, which the delivery count cannot tell
   * apart. Kept per replica; a restart forgets them, which only allows a message more tries.
   */
  private readonly tries = new Map<number, Tries>();
  private lastOutageWarningAt = 0;
  private readonly outcomes: Counter;
  private readonly duration: Histogram;

  constructor(private readonly options: ListenerRunnerOptions<DB>) {
    for (const setting of ['concurrency', 'batchSize'] as const) {
      const value = options[setting];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new Error(`${setting} must be a positive integer`);
      }
    }
    this.durable = durableName(options.service, options.listener.subject);
    this.stream = options.bus.streamName(streamOf(options.listener.subject));
    const registry = options.metrics ?? new Registry();
    this.outcomes = sharedMetric(registry, Counter, {
      name: 'events_handled_total',
      help: 'Events received by listeners, by outcome',
      labelNames: ['consumer', 'outcome'],
    });
    this.duration = sharedMetric(registry, Histogram, {
      name: 'event_transaction_duration_seconds',
      help: 'Time to handle a batch of events in one transaction, commit included',
      labelNames: ['consumer'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    });
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 4;
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 32;
  }

  async start(): Promise<void> {
    const { bus, listener } = this.options;
    const config: Partial<ConsumerConfig> = {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: bus.wireSubject(listener.subject),
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      // Redelivery is bounded here, not by the server, so that an exhausted message reaches the DLQ.
      max_deliver: -1,
      max_ack_pending: Math.max(1000, this.prefetch * 4),
    };
    const existing = await bus.jsm.consumers.info(this.stream, this.durable).catch(() => undefined);
    if (existing) {
      await bus.jsm.consumers.update(this.stream, this.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      });
    } else {
      await bus.jsm.consumers.add(this.stream, config).catch(async (error: Error) => {
        // Another replica created it a moment ago.
        if (!(await bus.jsm.consumers.info(this.stream, this.durable).catch(() => undefined))) throw error;
      });
    }
    const consumer = await bus.js.consumers.get(this.stream, this.durable);
    this.loop = this.receive(consumer);
  }

  /**
   * Stops pulling, lets the messages in hand finish, and hands back (nak) the ones not started, so another
   * replica gets them at once rather than after the ack wait. Takes at most one pull's expiry longer.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.loop;
    for (const msg of this.waiting.splice(0)) msg.nak();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private get prefetch(): number {
    return this.concurrency * this.batchSize;
  }

  /**
   * Pulls in bounded fetches rather than an open-ended subscription: every message a fetch brings is seen
   * by this loop, even while stopping, so none is left buffered and unacknowledged when the runner stops.
   */
  private async receive(consumer: Consumer): Promise<void> {
    while (!this.stopping) {
      const room = this.prefetch - this.waiting.length;
      if (room <= 0) {
        // The dispatch scheduled for these messages may not have run yet; run it, so there is work to await.
        this.dispatch();
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
        for await (const msg of batch) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          this.waiting.push(msg);
          this.scheduleDispatch();
        }
      } catch (error) {
        // A pull can also fail while it delivers (missed heartbeats, a reconnect): what it brought is kept,
        // and the next pull carries on.
        this.options.logger.warn({ err: error, consumer: this.durable }, 'pull failed; retrying');
        if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, PULL_RETRY_DELAY_MS));
      }
    }
  }

  /**
   * Dispatches once the messages of the current read from the socket are all waiting, rather than at each
   * one: a transaction then takes them together instead of the first alone.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  /**
   * Starts a transaction for the waiting messages whenever one is free. Under load, messages pile up
   * while the transactions are busy, so each takes a larger batch: fewer commits when it matters, no
   * waiting for a batch to fill when it does not.
   */
  private dispatch(): void {
    while (this.waiting.length > 0 && this.inFlight.size < this.concurrency) {
      const batch = this.waiting.splice(0, this.batchSize);
      const task: Promise<void> = this.processBatch(batch).finally(() => {
        this.inFlight.delete(task);
        if (!this.stopping) this.dispatch();
      });
      this.inFlight.add(task);
    }
  }

  private async processBatch(batch: JsMsg[]): Promise<void> {
    const received: ReceivedEvent[] = [];
    for (const msg of batch) {
      const trace = traceFromParent(msg.headers?.get('traceparent'));
      const parsed = parseEnvelope(this.options.listener.subject, msg.data);
      const log = this.options.logger.child({
        consumer: this.durable,
        eventId: parsed.ok ? parsed.envelope.id : parsed.id,
        traceId: trace.traceId,
        deliveryCount: msg.info.deliveryCount,
      });
      if (parsed.ok) received.push({ msg, envelope: parsed.envelope, trace, log });
      else await this.deadLetter(msg, parsed.reason, log);
    }
    if (received.length === 0) return;
    const stopTimer = this.duration.startTimer({ consumer: this.durable });
    try {
      const { effects, afterCommit } = await this.handleOnce(received);
      for (const [i, event] of received.entries()) {
        this.tries.delete(event.msg.info.streamSequence);
        event.msg.ack();
        this.outcomes.inc({ consumer: this.durable, outcome: effects[i] });
      }
      for (const { work, log } of afterCommit) {
        await work().catch((error: unknown) => log.warn({ err: error }, 'work after commit failed'));
      }
    } catch (error) {
      if (isTransientFailure(error)) {
        for (const event of received) this.waitForInfrastructure(event.msg, error, event.log);
      } else if (received.length === 1) {
        await this.handleFailure(
          (received[0] as ReceivedEvent).msg,
          error,
          (received[0] as ReceivedEvent).log,
        );
      } else {
        // One event spoiled the batch: handle them one by one, in order, so only that one is retried.
        for (const event of received) await this.processBatch([event.msg]);
      }
    } finally {
      stopTimer();
    }
  }

  /**
   * Runs the handlers and records the events in the inbox, in one transaction: all of it commits or none.
   * An event already in the inbox (a redelivery) is skipped. Work the handlers asked to run after the
   * commit comes back with the result, to run once the events are acknowledged.
   */
  private async handleOnce(events: ReceivedEvent[]): Promise<{
    effects: Array<'handled' | 'duplicate'>;
    afterCommit: Array<{ work: () => Promise<void>; log: Logger }>;
  }> {
    const db = withBusTables(this.options.db);
    const committed: Array<{ work: () => Promise<void>; log: Logger }> = [];
    const effects = await db.transaction().execute(async (trx) => {
      committed.length = 0;
      const recorded = await trx
        .insertInto('inbox')
        .values(events.map((event) => ({ consumer: this.durable, event_id: event.envelope.id })))
        .onConflict((conflict) => conflict.doNothing())
        .returning('event_id')
        .execute();
      const firstDeliveries = new Set(recorded.map((row) => row.event_id));
      const effects: Array<'handled' | 'duplicate'> = [];
      for (const event of events) {
        // Deleted once seen, so a second copy within the same batch counts as a duplicate too.
        if (!firstDeliveries.delete(event.envelope.id)) {
          effects.push('duplicate');
          continue;
        }
        const result = await runInTrace(event.trace, () =>
          this.options.listener.handle(event.envelope, {
            trx: trx as never,
            logger: event.log,
            deliveryCount: event.msg.info.deliveryCount,
            retryLater: (reason: string) => new RetryLater(reason),
            afterCommit: (work) => committed.push({ work, log: event.log }),
          }),
        );
        // Thrown so that the transaction, inbox records included, rolls back.
        if (result instanceof RetryLater) throw new EarlyEvent(result);
        effects.push('handled');
      }
      return effects;
    });
    return { effects, afterCommit: committed };
  }

  private async handleFailure(msg: JsMsg, error: unknown, log: Logger): Promise<void> {
    if (error instanceof EarlyEvent) {
      const early = this.count(msg, 'early');
      if (early >= (this.options.maxEarlyDeliveries ?? 50)) {
        await this.deadLetter(msg, `its predecessor never arrived: ${error.message}`, log);
        return;
      }
      log.debug({ reason: error.message }, 'event arrived before its predecessor; retrying later');
      this.outcomes.inc({ consumer: this.durable, outcome: 'early' });
      msg.nak(this.retryDelay(early));
      return;
    }
    const failed = this.count(msg, 'failed');
    const reason = error instanceof Error ? error.message : String(error);
    if (failed >= (this.options.maxDeliveries ?? 5)) {
      await this.deadLetter(msg, `handler failed ${failed} times: ${reason}`, log);
      return;
    }
    log.warn({ err: error }, 'event handler failed; will retry');
    this.outcomes.inc({ consumer: this.durable, outcome: 'failed' });
    msg.nak(this.retryDelay(failed));
  }

  /**
   * Our own infrastructure failed, not the event: it comes back after a short, growing delay, as often as
   * it takes. Readiness probes report the outage meanwhile.
   */
  private waitForInfrastructure(msg: JsMsg, error: unknown, log: Logger): void {
    // Every event in hand fails the same way during an outage: one warning every few seconds says it all.
    const now = Date.now();
    const level = now - this.lastOutageWarningAt >= OUTAGE_WARNING_INTERVAL_MS ? 'warn' : 'debug';
    if (level === 'warn') this.lastOutageWarningAt = now;
    log[level]({ err: error }, 'infrastructure unavailable; event will be retried');
    this.outcomes.inc({ consumer: this.durable, outcome: 'unavailable' });
    msg.nak(Math.min(this.retryDelay(msg.info.deliveryCount), this.options.unavailableMaxDelayMs ?? 5_000));
  }

  private count(msg: JsMsg, kind: keyof Tries): number {
    const sequence = msg.info.streamSequence;
    const tries = this.tries.get(sequence) ?? { failed: 0, early: 0 };
    tries[kind] += 1;
    // Re-inserted, so that the map's order is least recently counted first.
    this.tries.delete(sequence);
    this.tries.set(sequence, tries);
    if (this.tries.size > MAX_COUNTED_MESSAGES) this.tries.delete(this.tries.keys().next().value as number);
    return tries[kind];
  }

  private retryDelay(deliveries: number): number {
    const base = this.options.retryBaseDelayMs ?? 250;
    return Math.min(base * 2 ** Math.min(deliveries - 1, 30), this.options.retryMaxDelayMs ?? 30_000);
  }

  private async deadLetter(msg: JsMsg, reason: string, log: Logger): Promise<void> {
    try {
      await publishDeadLetter(this.options.bus, this.options.listener.subject, this.durable, msg, reason);
      // A plain term: nats-server 2.9 ignores a term that carries a reason, and redelivers the message
      // after the ack wait. The reason travels with the dead letter instead.
      msg.term();
      this.tries.delete(msg.info.streamSequence);
      this.outcomes.inc({ consumer: this.durable, outcome: 'dead_lettered' });
      log.error({ reason }, 'event sent to the dead-letter subject');
    } catch (error) {
      // Nothing is dropped: the message comes back and the dead-lettering is tried again.
      log.warn({ err: error, reason }, 'could not publish dead letter; will retry');
      msg.nak(this.retryDelay(msg.info.deliveryCount));
    }
  }
}
