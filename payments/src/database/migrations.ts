import { notifyOnRowChange } from '@ticketing/service';
import { sql, type Kysely, type Migration } from 'kysely';

/** Carries the order id of every attempt, payment and refund inserted or updated, for live streams. */
export const ORDER_PAYMENTS_CHANGED_CHANNEL = 'order_payments_changed';

/** Carries the id of every order replicated here, for a payment waiting for its order (`waitForOrder`). */
export const ORDER_REPLICATED_CHANNEL = 'order_replicated';

/** The payments service's own schema, in order; the shared tables (outbox, inbox, idempotency keys) are migrated first, by @ticketing/service. */
export const migrations: Record<string, Migration> = {
  '0001_payments': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table orders (
          id uuid primary key,
          user_id text not null,
          status text not null check (status in ('created', 'awaiting:payment', 'cancelled', 'complete')),
          version integer not null,
          amount integer not null check (amount > 0),
          currency char(3) not null,
          updated_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table payment_attempts (
          id uuid primary key,
          order_id uuid not null references orders (id),
          user_id text not null,
          payment_method text not null,
          status text not null check (status in ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')),
          amount integer not null check (amount > 0),
          currency char(3) not null,
          stripe_payment_intent_id text,
          stripe_charge_id text,
          error_code text,
          decline_code text,
          error_message text,
          created_at timestamptz(3) not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      // One attempt in flight per order: a second concurrent one is refused rather than raced.
      await sql`create unique index payment_attempts_one_pending on payment_attempts (order_id) where status = 'pending'`.execute(
        db,
      );
      await sql`create index payment_attempts_by_order on payment_attempts (order_id, created_at desc)`.execute(
        db,
      );
      await sql`create index payment_attempts_pending on payment_attempts (updated_at) where status = 'pending'`.execute(
        db,
      );
      await sql`create index payment_attempts_failed on payment_attempts (error_code, created_at desc) where status = 'failed'`.execute(
        db,
      );

      await sql`
        create table payments (
          id uuid primary key,
          order_id uuid not null unique references orders (id),
          attempt_id uuid not null references payment_attempts (id),
          stripe_payment_intent_id text not null unique,
          stripe_charge_id text,
          amount integer not null check (amount > 0),
          currency char(3) not null,
          status text not null check (status in ('succeeded', 'refunded')),
          amount_refunded integer not null default 0 check (amount_refunded between 0 and amount),
          created_at timestamptz(3) not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table refunds (
          id uuid primary key,
          payment_id uuid not null references payments (id),
          stripe_refund_id text not null unique,
          amount integer not null check (amount > 0),
          reason text not null,
          created_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table stripe_payment_intents (
          id text primary key,
          order_id uuid not null,
          status text not null,
          amount integer not null,
          amount_received integer not null,
          currency char(3) not null,
          latest_charge text,
          object jsonb not null,
          updated_at timestamptz not null default now()
        )`.execute(db);
      // Not unique, though an order has one intent: concurrent mirror upserts of that intent arbitrate on its
      // id, and a second unique index would make one of them fail instead of updating.
      await sql`create index stripe_payment_intents_by_order on stripe_payment_intents (order_id)`.execute(
        db,
      );

      await sql`
        create table stripe_refunds (
          id text primary key,
          payment_intent_id text not null,
          amount integer not null,
          status text not null,
          object jsonb not null,
          updated_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table stripe_events (
          id text primary key,
          type text not null,
          received_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index stripe_events_received_at on stripe_events (received_at)`.execute(db);
    },
  },
  '0002_payment_deadline': {
    async up(db: Kysely<unknown>) {
      // Null only for orders replicated before the deadline was kept here.
      await sql`alter table orders add column expires_at timestamptz`.execute(db);
      await sql`alter table orders add column deadline_reached_at timestamptz`.execute(db);
      await sql`alter table orders add column expired_at timestamptz`.execute(db);
      // Deadlines reached whose verdict (paid, or payments.expired) is still open: the sweep's work list.
      await sql`
        create index orders_past_deadline on orders (deadline_reached_at)
        where deadline_reached_at is not null and expired_at is null and status in ('created', 'awaiting:payment')
      `.execute(db);

      await sql`alter table payment_attempts add column key_generation integer not null default 0`.execute(
        db,
      );
      await sql`alter table payment_attempts add column locked_until timestamptz not null default now()`.execute(
        db,
      );
      // Attempts in flight on replicas still running the previous version: theirs for a while yet.
      await sql`
        update payment_attempts set locked_until = now() + interval '2 minutes' where status = 'pending'
      `.execute(db);
      await sql`drop index payment_attempts_pending`.execute(db);
      await sql`create index payment_attempts_pending on payment_attempts (locked_until) where status = 'pending'`.execute(
        db,
      );
      await sql`
        create index payment_attempts_requiring_action on payment_attempts (updated_at) where status = 'requires_action'
      `.execute(db);
    },
  },
  '0003_refund_lifecycle': {
    async up(db: Kysely<unknown>) {
      // Refunds recorded before had succeeded at once; the statuses are now Stripe's, plus `requested`: ours,
      // before Stripe has acknowledged the refund.
      await sql`alter table refunds alter column stripe_refund_id drop not null`.execute(db);
      await sql`
        alter table refunds
          add column status text not null default 'succeeded'
            check (status in ('requested', 'pending', 'succeeded', 'failed', 'canceled')),
          add column origin text not null default 'order_cancelled'
            check (origin in ('order_cancelled', 'admin', 'stripe')),
          add column failure_reason text,
          add column key_generation integer not null default 0,
          add column updated_at timestamptz not null default now()
      `.execute(db);
      await sql`alter table refunds alter column status drop default`.execute(db);
      await sql`alter table refunds alter column origin drop default`.execute(db);
      await sql`create index refunds_by_payment on refunds (payment_id)`.execute(db);
      // What the sweep looks at: refunds still on their way.
      await sql`create index refunds_open on refunds (updated_at) where status in ('requested', 'pending')`.execute(
        db,
      );
      // When the sweep last read a payment's refunds from Stripe, to catch one whose webhook was lost.
      await sql`alter table payments add column refunds_checked_at timestamptz not null default now()`.execute(
        db,
      );
    },
  },
  '0004_order_payments_notifications': {
    async up(db: Kysely<unknown>) {
      const channel = ORDER_PAYMENTS_CHANGED_CHANNEL;
      await notifyOnRowChange(db, { table: 'payment_attempts', channel, key: sql`new.order_id` });
      await notifyOnRowChange(db, { table: 'payments', channel, key: sql`new.order_id` });
      // A refund names only its payment, which never changes order.
      await notifyOnRowChange(db, {
        table: 'refunds',
        channel,
        key: sql`(select order_id from payments where id = new.payment_id)`,
      });
    },
  },
  '0005_admin_ledger_indexes': {
    async up(db: Kysely<unknown>) {
      // The admin lists and the dashboard's statistics read newest first, by time window and by buyer.
      await sql`create index payment_attempts_newest on payment_attempts (created_at desc, id desc)`.execute(
        db,
      );
      await sql`create index payment_attempts_by_user on payment_attempts (user_id, created_at desc)`.execute(
        db,
      );
      await sql`create index payments_newest on payments (created_at desc, id desc)`.execute(db);
    },
  },
  '0006_order_replicated_notifications': {
    async up(db: Kysely<unknown>) {
      // Also sent when a replicated order changes: nobody waits for an order that is already here.
      await notifyOnRowChange(db, { table: 'orders', channel: ORDER_REPLICATED_CHANNEL, key: sql`new.id` });
    },
  },
};
