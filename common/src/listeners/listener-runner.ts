import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Bus } from '../bus/bus';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import { parseEnvelope } from '../events/event-envelope';
import { streamOf } from '../events/event-streams';
import type { Logger } from '../observability/logger';
import { sharedMetric } from '../observability/metrics';
import { runInTrace, traceFromParent } from '../observability/trace-context';
import { publishDeadLetter } from './dead-letter';
import { RetryLater, type AnyEventListener } from './event-listener';

export interface ListenerRunnerOptions<DB extends CommonTables> {
  /** The consuming service: replicas of one service share its durable consumers. */
  service: string;
  listener: AnyEventListener<DB>;
  db: Kysely<DB>;
  bus: Bus;
  logger: Logger;
  metrics?: Registry;
  /** Messages handled at once. */
  concurrency?: number;
  /** How long the server waits for an ack before redelivering (a crashed or stuck handler). */
  ackWaitMs?: number;
  /** Deliveries after which a failing message goes to the dead-letter subject. */
  maxDeliveries?: number;
  /** Deliveries a message may wait for its predecessor before it is dead-lettered. */
  maxEarlyDeliveries?: number;
  /** Redelivery delay after a failure: min(base * 2^(deliveries-1), max). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/** The durable consumer name of `service` for `subject`: `orders-expiration-completed`. */
export function durableName(service: string, subject: string): string {
  return `${service}-${subject.replaceAll('.', '-')}`;
}

class EarlyEvent extends Error {
  constructor(readonly retry: RetryLater) {
    super(retry.reason);
  }
}

/**
 * Runs one listener on its durable pull consumer. Each message is handled in one database transaction
 * together with its inbox record, so a redelivered event is acknowledged without a second effect and a
 * failed handler leaves nothing behind. Failures are redelivered with backoff; invalid messages and
 * messages that keep failing go to `dlq.<subject>`, and the consumer carries on.
 */
export class ListenerRunner<DB extends CommonTables> {
  readonly durable: string;
  private readonly stream: string;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private readonly outcomes: Counter;
  private readonly duration: Histogram;

  constructor(private readonly options: ListenerRunnerOptions<DB>) {
    this.durable = durableName(options.service, options.listener.subject);
    this.stream = options.bus.streamName(streamOf(options.listener.subject));
    const registry = options.metrics ?? new Registry();
    this.outcomes = sharedMetric(registry, Counter, {
      name: 'events_handled_total',
      help: 'Events received by listeners, by outcome',
      labelNames: ['consumer', 'outcome'],
    });
    this.duration = sharedMetric(registry, Histogram, {
      name: 'event_handler_duration_seconds',
      help: 'Time to handle an event, transaction included',
      labelNames: ['consumer'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    });
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 16;
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
      max_ack_pending: Math.max(1000, this.concurrency * 4),
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
    this.messages = await consumer.consume({ max_messages: this.concurrency });
    this.loop = this.receive(this.messages);
  }

  /** Stops pulling, lets the messages in hand finish, and hands back the ones not started. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async receive(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.stopping) {
        msg.nak();
        continue;
      }
      while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
      const task = this.process(msg).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const { listener, logger } = this.options;
    const deliveryCount = msg.info.deliveryCount;
    const trace = traceFromParent(msg.headers?.get('traceparent'));
    const parsed = parseEnvelope(listener.subject, msg.data);
    const log = logger.child({
      consumer: this.durable,
      eventId: parsed.ok ? parsed.envelope.id : parsed.id,
      traceId: trace.traceId,
      deliveryCount,
    });
    if (!parsed.ok) {
      await this.deadLetter(msg, parsed.reason, log);
      return;
    }
    const stopTimer = this.duration.startTimer({ consumer: this.durable });
    try {
      const effect = await runInTrace(trace, () => this.handleOnce(parsed.envelope, deliveryCount, log));
      msg.ack();
      this.outcomes.inc({ consumer: this.durable, outcome: effect });
    } catch (error) {
      await this.handleFailure(msg, error, log);
    } finally {
      stopTimer();
    }
  }

  /** Runs the handler and records the event in the inbox, atomically; a duplicate does nothing. */
  private handleOnce(
    envelope: Parameters<AnyEventListener<DB>['handle']>[0],
    deliveryCount: number,
    log: Logger,
  ): Promise<'handled' | 'duplicate'> {
    const db = withCommonTables(this.options.db);
    return db.transaction().execute(async (trx) => {
      const recorded = await trx
        .insertInto('inbox')
        .values({ consumer: this.durable, event_id: envelope.id })
        .onConflict((conflict) => conflict.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!recorded) return 'duplicate';
      const result = await this.options.listener.handle(envelope, {
        trx: trx as never,
        logger: log,
        deliveryCount,
        retryLater: (reason: string) => new RetryLater(reason),
      });
      // Thrown so that the transaction, inbox record included, rolls back.
      if (result instanceof RetryLater) throw new EarlyEvent(result);
      return 'handled';
    });
  }

  private async handleFailure(msg: JsMsg, error: unknown, log: Logger): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    if (error instanceof EarlyEvent) {
      if (deliveries >= (this.options.maxEarlyDeliveries ?? 50)) {
        await this.deadLetter(msg, `its predecessor never arrived: ${error.message}`, log);
        return;
      }
      log.debug({ reason: error.message }, 'event arrived before its predecessor; retrying later');
      this.outcomes.inc({ consumer: this.durable, outcome: 'early' });
      msg.nak(this.retryDelay(deliveries));
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    if (deliveries >= (this.options.maxDeliveries ?? 5)) {
      await this.deadLetter(msg, `handler failed ${deliveries} times: ${reason}`, log);
      return;
    }
    log.warn({ err: error }, 'event handler failed; will retry');
    this.outcomes.inc({ consumer: this.durable, outcome: 'failed' });
    msg.nak(this.retryDelay(deliveries));
  }

  private retryDelay(deliveries: number): number {
    const base = this.options.retryBaseDelayMs ?? 250;
    return Math.min(base * 2 ** (deliveries - 1), this.options.retryMaxDelayMs ?? 30_000);
  }

  private async deadLetter(msg: JsMsg, reason: string, log: Logger): Promise<void> {
    try {
      await publishDeadLetter(this.options.bus, this.options.listener.subject, this.durable, msg, reason);
      msg.term(reason.slice(0, 200));
      this.outcomes.inc({ consumer: this.durable, outcome: 'dead_lettered' });
      log.error({ reason }, 'event sent to the dead-letter subject');
    } catch (error) {
      // Nothing is dropped: the message comes back and the dead-lettering is tried again.
      log.error({ err: error, reason }, 'could not publish dead letter; will retry');
      msg.nak(this.retryDelay(msg.info.deliveryCount));
    }
  }
}
