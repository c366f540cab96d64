import { sql, type Kysely, type Migration } from 'kysely';
import { createOutboxAndInbox } from '@ticketing/bus';

/**
 * Schema for the outbox, the inbox and idempotency keys; applied to every service's database by
 * `migrateToLatest`. Its history (`schema_migrations_common`) predates the packages, hence one migration for
 * the bus's tables and ours: the bus's part is `createOutboxAndInbox`, the statements `busMigrations` runs
 * for a subscriber with a database of its own. A released migration here is never edited or reordered.
 *
 * @example
 * await migrateToLatest(db, migrations); // on a new database: ['common/0001_outbox_inbox_idempotency', ...]
 */
export const commonMigrations: Record<string, Migration> = {
  '0001_outbox_inbox_idempotency': {
    async up(db: Kysely<unknown>) {
      await createOutboxAndInbox(db);

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('response_body', 'jsonb')
        .addColumn('response_headers', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('locked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('completed_at', 'timestamptz')
        .addPrimaryKeyConstraint('idempotency_keys_pkey', ['scope', 'key'])
        .execute();
      await db.schema
        .createIndex('idempotency_keys_created_at')
        .on('idempotency_keys')
        .column('created_at')
        .execute();
    },
  },
  '0002_idempotency_exact_answers': {
    async up(db: Kysely<unknown>) {
      // A replay sends the first answer's bytes, which jsonb does not keep (it reorders keys). An answer
      // kept before this keeps the text jsonb prints, and the content type it was sent with.
      await sql`
        alter table idempotency_keys
          alter column response_body type bytea using convert_to(response_body::text, 'UTF8'),
          add column claim uuid not null default gen_random_uuid()`.execute(db);
      await sql`
        update idempotency_keys
        set response_headers = coalesce(response_headers, '{}'::jsonb)
          || '{"content-type": "application/json; charset=utf-8"}'::jsonb
        where response_body is not null`.execute(db);
    },
  },
};
