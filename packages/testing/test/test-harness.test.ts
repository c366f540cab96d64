import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { NatsServer, PostgresServer, createTestInfrastructure } from '@ticketing/testing';

describe('test harness', () => {
  it('starts a private PostgreSQL and nats-server and leaves nothing behind', async () => {
    const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
    const client = new pg.Client({ connectionString: postgres.url() });
    await client.connect();
    const { rows } = await client.query<{ fsync: string }>('show fsync');
    expect(rows[0]?.fsync).toBe('off');
    await client.end();
    const connection = await connect({ servers: nats.url });
    expect(connection.info?.jetstream).toBe(true);
    await connection.close();

    const dirs = [
      (postgres as unknown as { root: string }).root,
      (nats as unknown as { storeDir: string }).storeDir,
    ];
    await Promise.all([postgres.stop(), nats.stop()]);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    await expect(new pg.Client({ connectionString: postgres.url() }).connect()).rejects.toThrow();
  });

  it('gives each caller its own database and namespace', async () => {
    const [a, b] = await Promise.all([createTestInfrastructure(), createTestInfrastructure()]);
    expect(a.databaseUrl).not.toBe(b.databaseUrl);
    expect(a.namespace).not.toBe(b.namespace);
    const client = new pg.Client({ connectionString: a.databaseUrl });
    await client.connect();
    await client.query('create table marker (id int)');
    await client.end();
    const other = new pg.Client({ connectionString: b.databaseUrl });
    await other.connect();
    const { rows } = await other.query(`select to_regclass('marker') as marker`);
    expect(rows[0].marker).toBeNull();
    await other.end();
    await Promise.all([a.dispose(), b.dispose()]);
  });
});
