import pg from 'pg';

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${JSON.stringify(name)}`);
  return name;
}

async function asAdmin(databaseUrl: string, statements: string[]): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Makes one database refuse connections, as a database that is down does for its service, and ends the
 * connections it has: `database "x" is not currently accepting connections`. Other databases of the
 * cluster carry on. Undo with `acceptConnections`.
 *
 * @example
 * await refuseConnections(infra.databaseUrl);
 * // ... the service waits it out ...
 * await acceptConnections(infra.databaseUrl);
 */
export async function refuseConnections(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await asAdmin(databaseUrl, [
    `alter database ${name} allow_connections false`,
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
  ]);
}

/**
 * Lets a database refused by `refuseConnections` take connections again.
 *
 * @example
 * await acceptConnections(infra.databaseUrl);
 * await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200);
 */
export async function acceptConnections(databaseUrl: string): Promise<void> {
  await asAdmin(databaseUrl, [`alter database ${databaseName(databaseUrl)} allow_connections true`]);
}
