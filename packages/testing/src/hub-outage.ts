import pg from 'pg';

/**
 * Runs `change` while no notification hub can hear it: the database's hub connections are killed and kept
 * from coming back (the database refuses new connections) until `change`, done on a connection opened
 * before, has committed. Its notifications reach nobody; the hubs reconnect afterwards.
 *
 * @example
 * await changeWhileHubsAreAway(infra.databaseUrl, (db) =>
 *   db.query(`update orders set status = 'cancelled' where id = $1`, [orderId]),
 * );
 */
export async function changeWhileHubsAreAway(
  databaseUrl: string,
  change: (db: pg.Client) => Promise<unknown>,
): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const adminUrl = new URL(databaseUrl);
  // A database cannot be told to refuse connections from a session of its own.
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  const db = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await db.connect();
  const hubs = `from pg_stat_activity where application_name = 'notification-hub' and datname = $1`;
  try {
    const { rows } = await admin.query(`select pid ${hubs}`, [name]);
    if (rows.length === 0) throw new Error(`No notification hub is connected to ${name}`);
    await admin.query(`alter database ${admin.escapeIdentifier(name)} allow_connections false`);
    try {
      await admin.query(`select pg_terminate_backend(pid) ${hubs}`, [name]);
      await change(db);
    } finally {
      await admin.query(`alter database ${admin.escapeIdentifier(name)} allow_connections true`);
    }
  } finally {
    await db.end();
    await admin.end();
  }
}
