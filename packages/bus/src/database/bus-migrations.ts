import { sql, type Kysely, type Migration } from 'kysely';
import { notifyOnInsert } from './notify-on-insert';

/**
 * The channel a commit into the outbox NOTIFYs, which wakes the relays.
 *
 * @example
 * await client.query(listenStatement(OUTBOX_CHANNEL)); // 'LISTEN "ticketing_outbox"'
 */
export const OUTBOX_CHANNEL = 'ticketing_outbox';

/**
 * Creates the outbox and the inbox with their indexes, and the trigger that wakes the relays. Written as a
 * function so that a schema history already holding these tables (the services' `common` one) and a new
 * subscriber's `busMigrations` create them with the same statements.
 *
 * @example
 * export const migrations: Record<string, Migration> = {
 *   '0001_outbox_inbox': { up: createOutboxAndInbox },
 *   '0002_receipts': {
 *     up: (db) => db.schema.createTable('receipts').addColumn('order_id', 'uuid').execute(),
 *   },
 * };
 */
export async function createOutboxAndInbox(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .execute();
  // The relay only ever looks at unsent rows; a partial index keeps that scan small however many sent
  // rows wait for the retention sweep.
  await sql`create index outbox_unsent on outbox (seq) where sent_at is null`.execute(db);
  await sql`create index outbox_sent_at on outbox (sent_at) where sent_at is not null`.execute(db);
  // Wakes the relays when events are committed.
  await notifyOnInsert(db, 'outbox', OUTBOX_CHANNEL);

  await db.schema
    .createTable('inbox')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbox_pkey', ['consumer', 'event_id'])
    .execute();
  await db.schema.createIndex('inbox_processed_at').on('inbox').column('processed_at').execute();
}

/**
 * The bus's schema for a database of its own (an outside subscriber's), as Kysely migrations: run them with
 * a `Migrator` and a history table of your choosing. The ticketing services get the same tables from
 * `@ticketing/service`'s migrations.
 *
 * @example
 * const migrator = new Migrator({
 *   db,
 *   provider: { getMigrations: async () => busMigrations },
 *   migrationTableName: 'schema_migrations_bus',
 * });
 * await migrator.migrateToLatest();
 */
export const busMigrations: Record<string, Migration> = {
  '0001_outbox_inbox': { up: createOutboxAndInbox },
};
