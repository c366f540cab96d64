import type { ColumnType, JSONColumnType, Kysely, Transaction } from 'kysely';
import type { BusTables } from '@ticketing/bus';

/** A row of `idempotency_keys`: a POST's key, its claim while it runs, then the answer its retries get. */
export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  /** Whose the key is while its request runs: a retry that takes a lapsed claim over gets a new one. */
  claim: string;
  status: number | null;
  /** The answer's bytes, as sent. */
  response_body: Buffer | null;
  /** The answer's headers that a replay repeats (content-type, location). */
  response_headers: JSONColumnType<Record<string, string>> | null;
  created_at: ColumnType<Date, never, never>;
  locked_at: ColumnType<Date, never, Date | string>;
  completed_at: Date | null;
}

/**
 * Tables every service gets from the common migrations: the bus's and idempotency keys. A service's own
 * schema extends this.
 *
 * @example
 * export interface OrdersDatabase extends CommonTables {
 *   tickets: TicketsTable;
 *   orders: OrdersTable;
 * }
 */
export interface CommonTables extends BusTables {
  idempotency_keys: IdempotencyKeysTable;
}

/**
 * Kysely's database type is invariant, so a service's `Kysely<OrdersDatabase>` is not a
 * `Kysely<CommonTables>` even though it has those tables. Shared code takes the service's handle and views
 * it through this one cast. (`withBusTables` is the bus's equivalent, for the outbox and the inbox alone.)
 *
 * @example
 * const keys = await withCommonTables(db).selectFrom('idempotency_keys').selectAll().execute();
 */
export function withCommonTables<DB extends CommonTables>(
  db: Kysely<DB> | Transaction<DB>,
): Kysely<CommonTables> {
  return db as unknown as Kysely<CommonTables>;
}
