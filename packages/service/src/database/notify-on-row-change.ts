import { sql, type Kysely, type RawBuilder } from 'kysely';

export interface RowChangeNotification {
  table: string;
  channel: string;
  /**
   * The payload: an SQL expression over the changed row `new`, naming what changed as subscribers of the
   * channel know it. Inlined into the trigger's body, so it takes no parameters.
   */
  key: RawBuilder<unknown>;
}

/**
 * Migration step: a NOTIFY on `channel` for every row inserted into or updated in `table`, with `key` as
 * the payload, delivered only if its transaction commits (once per distinct payload and transaction). A
 * `NotificationHub` is the listening side, on every replica.
 *
 * @example
 * await notifyOnRowChange(db, { table: 'orders', channel: 'order_changed', key: sql`new.id` });
 * await notifyOnRowChange(db, {
 *   table: 'refunds',
 *   channel: 'order_payments_changed',
 *   key: sql`(select order_id from payments where id = new.payment_id)`,
 * });
 */
export async function notifyOnRowChange(
  db: Kysely<unknown>,
  { table, channel, key }: RowChangeNotification,
): Promise<void> {
  const fn = sql.id(`${table}_notify_${channel}`);
  await sql`
    create function ${fn}() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(channel)}, (${key})::text);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger ${fn} after insert or update on ${sql.table(table)}
    for each row execute function ${fn}()`.execute(db);
}
