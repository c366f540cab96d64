import pg from 'pg';

export interface ListenConnectionOptions {
  connectionString: string;
  /** Iterated while LISTEN statements are sent: a channel added to a Set meanwhile is listened to too. */
  channels: Iterable<string>;
  applicationName?: string;
  onNotification(channel: string, payload: string): void;
  /** Told once when the connection is lost after it was opened; not when it is closed with `end()`. */
  onLost(error: Error): void;
}

/**
 * A channel name as an SQL identifier: LISTEN takes no bind parameters.
 *
 * @example
 * listenStatement('order_changed'); // 'LISTEN "order_changed"'
 */
export function listenStatement(channel: string): string {
  return `LISTEN "${channel.replaceAll('"', '""')}"`;
}

/**
 * Opens a connection of its own and LISTENs on the channels. LISTEN belongs to a session, so it cannot be
 * done on a pooled connection that others would be handed. If opening or a LISTEN fails, the connection is
 * closed and the error thrown.
 *
 * @example
 * const client = await openListenConnection({
 *   connectionString,
 *   channels: ['order_changed'],
 *   onNotification: (channel, payload) => logger.info({ channel, payload }, 'changed'),
 *   onLost: (error) => logger.warn({ err: error }, 'LISTEN connection lost; a notification may be missed'),
 * });
 * // ...
 * await client.end();
 */
export async function openListenConnection(options: ListenConnectionOptions): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    // A connection cut without a word (a network partition) would otherwise look alive for hours.
    keepAlive: true,
  });
  let opened = false;
  let lost: Error | undefined;
  client.on('notification', ({ channel, payload }) => options.onNotification(channel, payload ?? ''));
  // pg may report one loss twice (the server's FATAL, then the closed socket).
  client.on('error', (error) => {
    if (lost) return;
    lost = error;
    if (opened) options.onLost(error);
  });
  try {
    await client.connect();
    for (const channel of options.channels) await client.query(listenStatement(channel));
    if (lost) throw lost;
    opened = true;
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
