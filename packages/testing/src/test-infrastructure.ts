import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NatsServer } from './nats-server';
import { PostgresServer } from './postgres-server';

/** Set by the jest global setup: one PostgreSQL cluster and one nats-server for the whole run. */
export const SHARED_POSTGRES_ENV = 'TICKETING_TEST_POSTGRES_URL';
export const SHARED_NATS_ENV = 'TICKETING_TEST_NATS_URL';

/**
 * A fresh database and bus namespace of one's own, on the shared servers (or private ones): what
 * `createTestInfrastructure` gives a test file.
 */
export interface TestInfrastructure {
  databaseUrl: string;
  natsUrl: string;
  /** Streams and subjects of this namespace are seen by no other test file. */
  namespace: string;
  /** Another fresh database on the same cluster, e.g. for a second service. */
  createDatabase(): Promise<string>;
  dispose(): Promise<void>;
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Gives a test file its own database and bus namespace. Under the root jest config the servers are
 * shared by the run; run any other way, it starts private ones and stops them on dispose.
 *
 * @example
 * const infra = await createTestInfrastructure();
 * const db = createDatabase<ReceiptsDatabase>({ connectionString: infra.databaseUrl });
 * const bus = await Bus.connect({ url: infra.natsUrl, name: 'test', namespace: infra.namespace });
 * // ...
 * await bus.close();
 * await db.destroy();
 * await infra.dispose();
 */
export async function createTestInfrastructure(): Promise<TestInfrastructure> {
  const owned: Array<PostgresServer | NatsServer> = [];
  let adminUrl = process.env[SHARED_POSTGRES_ENV];
  let natsUrl = process.env[SHARED_NATS_ENV];
  if (!adminUrl) {
    const postgres = await PostgresServer.start();
    owned.push(postgres);
    adminUrl = postgres.url();
  }
  if (!natsUrl) {
    const nats = await NatsServer.start();
    owned.push(nats);
    natsUrl = nats.url;
  }
  const suffix = randomBytes(6).toString('hex');
  const databases: string[] = [];
  const createDatabase = async () => {
    const name = `test_${suffix}_${databases.length}`;
    await adminQuery(adminUrl, `create database ${name}`);
    databases.push(name);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const databaseUrl = await createDatabase();
  return {
    databaseUrl,
    natsUrl,
    namespace: `t${suffix}`,
    createDatabase,
    async dispose() {
      if (!owned.some((server) => server instanceof PostgresServer)) {
        for (const name of databases)
          await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      }
      for (const server of owned.reverse()) await server.stop();
    },
  };
}
