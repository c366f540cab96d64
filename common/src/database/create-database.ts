import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

export interface DatabaseOptions {
  connectionString: string;
  maxConnections?: number;
  applicationName?: string;
}

export function createDatabase<DB>({
  connectionString,
  maxConnections = 10,
  applicationName,
}: DatabaseOptions) {
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (a database restart, a terminated backend) must not crash the
  // process: the pool drops that client and the next query opens a new one.
  pool.on('error', () => undefined);
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
