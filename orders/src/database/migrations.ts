import { notifyOnRowChange } from '@ticketing/service';
import { sql, type Kysely, type Migration } from 'kysely';

/** Carries the id of every order inserted or updated, for the live streams of every replica. */
export const ORDER_CHANGED_CHANNEL = 'order_changed';

/** The orders service's own schema, in order; the shared tables (outbox, inbox, idempotency keys) are migrated first, by @ticketing/service. */
export const migrations: Record<string, Migration> = {
  '0001_tickets_and_orders': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table tickets (
          id uuid primary key,
          title text not null check (length(title) between 1 and 200),
          price integer not null check (price > 0),
          currency char(3) not null check (currency ~ '^[a-z]{3}$'),
          user_id text not null,
          order_id uuid,
          version integer not null default 0,
          created_at timestamptz(3) not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      // Millisecond timestamps: list cursors carry the sort key as a JavaScript Date, which holds no more.
      await sql`create index tickets_listing on tickets (created_at desc, id desc)`.execute(db);
      await sql`create index tickets_available on tickets (created_at desc, id desc) where order_id is null`.execute(
        db,
      );

      await sql`
        create table orders (
          id uuid primary key,
          user_id text not null,
          ticket_id uuid not null references tickets (id),
          status text not null check (status in ('created', 'awaiting:payment', 'cancelled', 'complete')),
          cancellation_reason text check (cancellation_reason in ('expired', 'user')),
          expires_at timestamptz not null,
          price integer not null check (price > 0),
          currency char(3) not null,
          payment_id uuid,
          version integer not null default 0,
          created_at timestamptz(3) not null default now(),
          updated_at timestamptz not null default now(),
          check ((status = 'cancelled') = (cancellation_reason is not null)),
          check ((status = 'complete') = (payment_id is not null))
        )`.execute(db);
      // The reservation itself: at most one order per ticket that is awaiting payment or paid. Two buyers
      // racing for a ticket cannot both get past this, whatever the code above it does.
      await sql`
        create unique index orders_one_active_per_ticket on orders (ticket_id)
        where status in ('created', 'awaiting:payment', 'complete')`.execute(db);
      await sql`create index orders_by_user on orders (user_id, created_at desc, id desc)`.execute(db);
    },
  },
  '0002_abandoned_orders_index': {
    async up(db: Kysely<unknown>) {
      // What the abandoned-orders sweep looks for, without scanning every order.
      await sql`
        create index orders_abandoned on orders (updated_at)
        where status = 'cancelled' and cancellation_reason = 'expired'`.execute(db);
    },
  },
  '0003_refunded_orders': {
    async up(db: Kysely<unknown>) {
      // A paid order whose money all went back is cancelled (reason `refunded`) and keeps its payment id.
      await sql`alter table orders drop constraint orders_cancellation_reason_check`.execute(db);
      await sql`
        alter table orders add constraint orders_cancellation_reason_check
        check (cancellation_reason in ('expired', 'user', 'refunded'))`.execute(db);
      await sql`alter table orders drop constraint orders_check1`.execute(db);
      await sql`
        alter table orders add constraint orders_paid_have_payment
        check (status <> 'complete' or payment_id is not null)`.execute(db);
    },
  },
  '0004_ticket_title_search': {
    async up(db: Kysely<unknown>) {
      // GET /api/tickets?q= is a substring search (ilike '%q%'), which a btree cannot serve; trigrams can
      // for three characters and more. pg_trgm ships with PostgreSQL's contrib, which the images include.
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`create index tickets_title_trigrams on tickets using gin (title gin_trgm_ops)`.execute(db);
    },
  },
  '0005_order_change_notifications': {
    async up(db: Kysely<unknown>) {
      await notifyOnRowChange(db, { table: 'orders', channel: ORDER_CHANGED_CHANNEL, key: sql`new.id` });
    },
  },
};
