import { sql, type Kysely } from 'kysely';

/**
 * Migration step: one NOTIFY on `channel` per statement that inserts into `table`, delivered only if its
 * transaction commits. `InsertNotifications` is the listening side, which wakes a sleeping loop.
 *
 * @example
 * export const migrations: Record<string, Migration> = {
 *   '0002_jobs_notify': { up: (db) => notifyOnInsert(db, 'jobs', 'jobs_inserted') },
 * };
 */
export async function notifyOnInsert(db: Kysely<unknown>, table: string, channel: string): Promise<void> {
  const fn = sql.id(`${table}_notify`);
  await sql`
    create function ${fn}() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(channel)}, '');
      return null;
    end $$`.execute(db);
  await sql`create trigger ${fn} after insert on ${sql.table(table)} for each statement execute function ${fn}()`.execute(
    db,
  );
}
