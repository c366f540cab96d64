import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PreparingClient } from './preparing-client';

/** How to reach the database, and what to do when a pooled connection is lost. */
export interface DatabaseOptions {
  connectionString: string;
  maxConnections?: number;
  applicationName?: string;
  /** Told when a connection is lost; by default it is dropped silently and the next query opens another. */
  onConnectionLost?: (error: Error) => void;
}

/**
 * A connection pool that survives the database going away: a connection lost while idle or while checked
 * out (a restart, a terminated backend) must not crash the process with an unhandled `error` event; the
 * query in progress fails, the pool drops the connection, and the next query opens a new one.
 */
export function createPool({
  connectionString,
  maxConnections = 10,
  applicationName,
  onConnectionLost = () => undefined,
}: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // Parameterised queries as named prepared statements, parsed once per connection (see PreparingClient).
    Client: PreparingClient,
  });
  pool.on('error', onConnectionLost);
  pool.on('connect', (client) => client.on('error', onConnectionLost));
  return pool;
}

/**
 * A Kysely handle over such a pool (see `createPool`): the database the outbox and the inbox live in, and
 * the service's own tables beside them.
 *
 * @example
 * const db = createDatabase<ReceiptsDatabase>({
 *   connectionString: 'postgres://receipts@127.0.0.1:5432/receipts',
 *   applicationName: 'receipts',
 * });
 * // ...
 * await db.destroy();
 */
export function createDatabase<DB>(options: DatabaseOptions) {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}
