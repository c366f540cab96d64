import type { Logger } from '../observability/logger';
import type { WakeSignal } from '../worker/wake-signal';
import type pg from 'pg';
import { openListenConnection } from './listen-connection';

export interface InsertNotificationsOptions {
  /** LISTEN needs a connection of its own, outside the pool. */
  connectionString: string;
  channel: string;
  /** Notified on every notification, and when the connection is lost (a notification may have been missed). */
  signal: WakeSignal;
  logger: Logger;
}

/**
 * Wakes a sleeping loop when a trigger announces new rows; the LISTEN connection is reopened when lost. A
 * `PollingWorker` given `listen` runs one of these for its workers.
 *
 * @example
 * const signal = new WakeSignal();
 * const notifications = new InsertNotifications({
 *   connectionString,
 *   channel: OUTBOX_CHANNEL,
 *   signal,
 *   logger,
 * });
 * await notifications.ensureListening();
 * await signal.wait(5_000); // returns early on an insert into the outbox
 */
export class InsertNotifications {
  private client?: Promise<pg.Client>;

  constructor(private readonly options: InsertNotificationsOptions) {}

  async ensureListening(): Promise<void> {
    this.client ??= this.listen();
    await this.client;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then((connected) => connected.end()).catch(() => undefined);
  }

  private async listen(): Promise<pg.Client> {
    const { connectionString, channel, signal, logger } = this.options;
    try {
      return await openListenConnection({
        connectionString,
        channels: [channel],
        onNotification: () => signal.notify(),
        onLost: (error) => {
          logger.warn({ err: error, channel }, 'LISTEN connection lost; reconnecting');
          this.client = undefined;
          signal.notify();
        },
      });
    } catch (error) {
      this.client = undefined;
      throw error;
    }
  }
}
