import { notifyOnInsert } from '@ticketing/bus';
import { sql, type Kysely, type Migration } from 'kysely';

export const EXPIRATIONS_CHANNEL = 'ticketing_expirations';

/** The expiration service's own schema, in order; the shared tables (outbox, inbox, idempotency keys) are migrated first, by @ticketing/service. */
export const migrations: Record<string, Migration> = {
  '0001_pending_expirations': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table pending_expirations (
          order_id uuid primary key,
          expires_at timestamptz not null
        )`.execute(db);
      // The scheduler only ever reads the earliest rows: the next due time, then due rows in order.
      await sql`create index pending_expirations_due on pending_expirations (expires_at)`.execute(db);
      // Wakes the schedulers, in case a new row is due before the one they sleep towards.
      await notifyOnInsert(db, 'pending_expirations', EXPIRATIONS_CHANNEL);
    },
  },
};
