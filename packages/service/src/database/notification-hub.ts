import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { Gauge, Registry } from 'prom-client';
import {
  DependencyUnavailableError,
  type Logger,
  sharedMetric,
  listenStatement,
  openListenConnection,
} from '@ticketing/bus';

export interface NotificationHubOptions {
  /** The service's database; the hub keeps one connection of its own, outside the pool. */
  connectionString: string;
  logger: Logger;
  metrics?: Registry;
  /** Wait before the n-th try to reconnect: min(base * 2^(n-1), max). */
  reconnectBaseDelayMs?: number;
  reconnectMaxDelayMs?: number;
}

/** Told about one (channel, key) of a `NotificationHub`. */
export interface HubSubscriber {
  /**
   * Re-read what the key names: it was notified, or the hub has just (re)connected and a notification may
   * have been missed.
   */
  changed(): void;
  /** The hub is closing (the process shuts down): end whatever depends on it. */
  closed(): void;
}

/**
 * Fans PostgreSQL notifications out to subscribers in this process: one LISTEN connection, whatever the
 * number of subscribers, each told about its own (channel, key) only, the key being the notification's
 * payload. Every replica of a service has its own hub, so a change committed through any replica reaches
 * subscribers on all of them. Connects at the first subscription; a lost connection is reopened with
 * backoff, and every subscriber is then told to re-read, since a notification may have been missed.
 *
 * @example
 * const hub = new NotificationHub({ connectionString: config.DATABASE_URL, logger });
 * const unsubscribe = await hub.subscribe('order_changed', orderId, {
 *   changed: () => void reloadOrder(), // a trigger ran pg_notify('order_changed', orderId)
 *   closed: () => response.end(),
 * });
 * // ...
 * unsubscribe();
 * await hub.close();
 */
export class NotificationHub {
  private readonly subscribers = new Map<string, Map<string, Set<HubSubscriber>>>();
  /** Every channel subscribed to so far: listened to on every connection. */
  private readonly channels = new Set<string>();
  /** The open connection, and the LISTENs sent on it. */
  private connection?: { client: pg.Client; listening: Map<string, Promise<unknown>> };
  private running?: Promise<void>;
  private readonly closing = new AbortController();
  private readonly closed = new Promise<undefined>((resolve) =>
    this.closing.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );

  constructor(private readonly options: NotificationHubOptions) {
    const registry = options.metrics ?? new Registry();
    const subscribers = this.subscribers;
    sharedMetric(registry, Gauge, {
      name: 'notification_hub_subscribers',
      help: 'Subscribers to PostgreSQL notifications (open live streams), by channel',
      labelNames: ['channel'],
      collect(this: Gauge) {
        this.reset();
        for (const [channel, keys] of subscribers) {
          let count = 0;
          for (const set of keys.values()) count += set.size;
          this.set({ channel }, count);
        }
      },
    });
  }

  /**
   * Tells `subscriber` about every notification on `channel` whose payload is `key`. Resolves once a
   * notification committed from now on will be delivered: when the channel is listened to, or, while the
   * hub is (re)connecting, at once (the connection then tells every subscriber to re-read). Returns the
   * function that unsubscribes. Refused with a `DependencyUnavailableError` (503) once the hub is closed.
   *
   * @example
   * const unsubscribe = await hub.subscribe('order_payments_changed', orderId, {
   *   changed: () => logger.info({ orderId }, 're-read the payments of the order'),
   *   closed: () => logger.info('the process is shutting down'),
   * });
   * unsubscribe();
   */
  async subscribe(channel: string, key: string, subscriber: HubSubscriber): Promise<() => void> {
    // Only while the process shuts down: the client is asked to come back, to another replica.
    if (this.closing.signal.aborted) throw new DependencyUnavailableError('notification hub');
    let keys = this.subscribers.get(channel);
    if (!keys) this.subscribers.set(channel, (keys = new Map()));
    let set = keys.get(key);
    if (!set) keys.set(key, (set = new Set()));
    set.add(subscriber);
    const unsubscribe = () => {
      set.delete(subscriber);
      if (set.size === 0 && keys.get(key) === set) keys.delete(key);
    };
    this.channels.add(channel);
    this.running ??= this.keepConnected();
    if (this.connection) {
      // Lost meanwhile: the reconnection listens again and tells everyone to re-read.
      await this.listen(this.connection, channel).catch(() => undefined);
    }
    return unsubscribe;
  }

  /**
   * Closes the connection and tells every subscriber `closed()`; later subscriptions are refused.
   *
   * @example
   * await hub.close(); // at shutdown, before the HTTP server waits for its open streams to end
   */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    const everyone = this.everySubscriber();
    this.subscribers.clear();
    for (const subscriber of everyone) subscriber.closed();
    await this.connection?.client.end().catch(() => undefined);
    await this.running;
  }

  /** Owns the connection: opens it, waits until it is lost, opens it again after a pause that grows. */
  private async keepConnected(): Promise<void> {
    const { reconnectBaseDelayMs = 100, reconnectMaxDelayMs = 5_000, logger } = this.options;
    let failures = 0;
    while (!this.closing.signal.aborted) {
      let lost!: (error: Error) => void;
      const connectionLost = new Promise<Error>((resolve) => (lost = resolve));
      try {
        const client = await openListenConnection({
          connectionString: this.options.connectionString,
          applicationName: 'notification-hub',
          // The Set itself: a channel first subscribed to while these LISTENs go out is included.
          channels: this.channels,
          onNotification: (channel, key) => this.notify(channel, key),
          onLost: lost,
        });
        if (this.closing.signal.aborted) {
          await client.end().catch(() => undefined);
          return;
        }
        this.connection = { client, listening: new Map() };
        // Subscribed while the LISTENs above went out, or while nothing listened at all.
        for (const subscriber of this.everySubscriber()) subscriber.changed();
        if (failures > 0) logger.info({ failures }, 'notification hub reconnected');
        failures = 0;
        const error = await Promise.race([connectionLost, this.closed]);
        this.connection = undefined;
        if (error) logger.warn({ err: error }, 'notification hub lost its connection; reconnecting');
      } catch (error) {
        failures += 1;
        logger.warn({ err: error, failures }, 'notification hub could not connect; retrying');
        const pause = Math.min(reconnectBaseDelayMs * 2 ** (failures - 1), reconnectMaxDelayMs);
        await delay(pause, undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }

  private listen(connection: NonNullable<typeof this.connection>, channel: string): Promise<unknown> {
    let listening = connection.listening.get(channel);
    if (!listening) {
      listening = connection.client.query(listenStatement(channel));
      connection.listening.set(channel, listening);
    }
    return listening;
  }

  private notify(channel: string, key: string): void {
    for (const subscriber of this.subscribers.get(channel)?.get(key) ?? []) subscriber.changed();
  }

  private everySubscriber(): HubSubscriber[] {
    return [...this.subscribers.values()].flatMap((keys) => [...keys.values()].flatMap((set) => [...set]));
  }
}
