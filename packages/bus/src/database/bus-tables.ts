import type { ColumnType, Generated, JSONColumnType, Kysely, Transaction } from 'kysely';

/** A row of `outbox`: an event committed with the change that caused it, until the relay has sent it. */
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

/** A row of `inbox`: an event a consumer has handled, which makes a redelivery of it a no-op. */
export interface InboxTable {
  consumer: string;
  event_id: string;
  processed_at: ColumnType<Date, never, never>;
}

/**
 * The tables the bus reads and writes in a database: `busMigrations` creates them. A database type extends
 * it, so that `enqueue` and the listeners take the service's own handle.
 *
 * @example
 * interface ReceiptsDatabase extends BusTables {
 *   receipts: { order_id: string; amount: number; currency: string };
 * }
 */
export interface BusTables {
  outbox: OutboxTable;
  inbox: InboxTable;
}

/**
 * Kysely's database type is invariant, so a service's `Kysely<OrdersDatabase>` is not a `Kysely<BusTables>`
 * even though it has those tables. The bus takes the service's handle and views it through this one cast.
 *
 * @example
 * const sent = await withBusTables(db).selectFrom('outbox').where('sent_at', 'is not', null).execute();
 */
export function withBusTables<DB extends BusTables>(db: Kysely<DB> | Transaction<DB>): Kysely<BusTables> {
  return db as unknown as Kysely<BusTables>;
}
