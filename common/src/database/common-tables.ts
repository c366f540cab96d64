import type { ColumnType, Generated, JSONColumnType, Kysely, Transaction } from 'kysely';

export interface OutboxTable {
  /** Insertion order: the relay publishes oldest first. */
  seq: Generated<string>;
  event_id: string;
  subject: string;
  /** The serialized envelope, published byte for byte. */
  envelope: string;
  headers: JSONColumnType<Record<string, string>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  sent_at: ColumnType<Date | null, never, Date | string | null>;
  attempts: ColumnType<number, never, number>;
  next_attempt_at: ColumnType<Date, never, Date | string>;
  last_error: ColumnType<string | null, never, string | null>;
}

export interface InboxTable {
  consumer: string;
  event_id: string;
  processed_at: ColumnType<Date, never, never>;
}

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

/** Tables every service gets from common's migrations. A service's own schema extends this. */
export interface CommonTables {
  outbox: OutboxTable;
  inbox: InboxTable;
  idempotency_keys: IdempotencyKeysTable;
}

/**
 * Kysely's database type is invariant, so a service's `Kysely<OrdersDatabase>` is not a
 * `Kysely<CommonTables>` even though it has those tables. Common code takes the service's handle and views
 * it through this one cast.
 */
export function withCommonTables<DB extends CommonTables>(
  db: Kysely<DB> | Transaction<DB>,
): Kysely<CommonTables> {
  return db as unknown as Kysely<CommonTables>;
}
