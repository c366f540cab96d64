import { sql, type Kysely, type Migration } from 'kysely';
import { notifyOnInsert } from './notify-on-insert';

export const OUTBOX_CHANNEL = 'ticketing_outbox';

/** Schema for the outbox, the inbox and idempotency keys; applied to every service's database. */
export const commonMigrations: Record<string, Migration> = {
  '0001_outbox_inbox_idempotency': {
    async up(db: Kysely<unknown>) {
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
