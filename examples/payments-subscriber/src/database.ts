import { busMigrations, type BusTables } from '@ticketing/bus';
import { Migrator, sql, type ColumnType, type Kysely, type Migration } from 'kysely';

/** One row per payment the ticketing system took. */
export interface ReceiptsTable {
  payment_id: string;
  order_id: string;
  /** Minor units (cents), as the event carries it. */
  amount: number;
  currency: string;
  stripe_id: string;
  /** When the payment was taken: the event's `occurredAt`. */
  paid_at: ColumnType<Date, string, never>;
  /** The payments.created event the receipt came from. */
  event_id: string;
  recorded_at: ColumnType<Date, never, never>;
}

/** This service's tables, and the inbox (and outbox) that `ListenerRunner` keeps beside them. */
export interface ReceiptsDatabase extends BusTables {
  receipts: ReceiptsTable;
}

/** This service's own schema history. */
const receiptsMigrations: Record<string, Migration> = {
  '0001_receipts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('receipts')
        .addColumn('payment_id', 'uuid', (c) => c.primaryKey())
        .addColumn('order_id', 'uuid', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('stripe_id', 'text', (c) => c.notNull())
        .addColumn('paid_at', 'timestamptz', (c) => c.notNull())
        .addColumn('event_id', 'uuid', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};

/**
 * Brings the database up to date: the bus's tables (the inbox that makes handling idempotent) and this
 * service's own, each with a history table of its own, so that a new version of `@ticketing/bus` adds its
 * migrations without renumbering ours.
 */
export async function migrate(db: Kysely<ReceiptsDatabase>): Promise<string[]> {
  const applied: string[] = [];
  for (const [history, migrations] of [
    ['bus', busMigrations],
    ['receipts', receiptsMigrations],
  ] as const) {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: `${history}_migrations`,
      migrationLockTableName: `${history}_migrations_lock`,
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) throw error;
    applied.push(...results.map((result) => result.migrationName));
  }
  return applied;
}
