import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Bus } from '@ticketing/bus';
import { signToken } from '@ticketing/service';
import {
  createTestInfrastructure,
  EventRecorder,
  freePort,
  NatsServer,
  TEST_JWT_KEY,
  waitFor,
  type TestInfrastructure,
} from '@ticketing/testing';
import pg from 'pg';
import request from 'supertest';

/**
 * The orders service as its image runs it, a process of its own (through tsx here): started before its
 * database and bus exist, it becomes ready without restarting; a bus outage leaves it ready and taking
 * orders; `migrate` is a step of its own (docs/decisions/0015).
 */
const repository = join(__dirname, '..', '..');
const entryPoint = join(repository, 'orders', 'src', 'index.ts');
const DEADLINE = { timeoutMs: 30_000, intervalMs: 50 };

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** True while the process started at first is still the one running. */
  alive: () => boolean;
}

function runOrders(env: Record<string, string>, args: string[] = []): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', entryPoint, ...args], {
    cwd: repository,
    env: {
      PATH: process.env.PATH ?? '',
      TSX_TSCONFIG_PATH: join(repository, 'tsconfig.json'),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    exited,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

async function stopRun(run: Run | undefined): Promise<void> {
  if (!run?.alive()) return;
  run.child.kill('SIGTERM');
  await run.exited;
}

async function readiness(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('orders start-up and readiness', () => {
  let infra: TestInfrastructure;
  let admin: pg.Client;
  const createdDatabases: string[] = [];
  const runs: Run[] = [];
  let nats: NatsServer | undefined;

  /** A database URL on the test cluster for a database that does not exist yet. */
  function futureDatabase(): { name: string; url: string } {
    const name = `late_${randomBytes(6).toString('hex')}`;
    const url = new URL(infra.databaseUrl);
    url.pathname = `/${name}`;
    return { name, url: url.toString() };
  }

  async function createDatabase(name: string): Promise<void> {
    await admin.query(`create database ${name}`);
    createdDatabases.push(name);
  }

  function start(env: Record<string, string>, args: string[] = []): Run {
    const run = runOrders(env, args);
    runs.push(run);
    return run;
  }

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    admin = new pg.Client({ connectionString: infra.databaseUrl });
    await admin.connect();
  });

  afterAll(async () => {
    for (const run of runs) await stopRun(run);
    await nats?.stop();
    for (const name of createdDatabases) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await infra.dispose();
  });

  describe('started before its database and its bus exist', () => {
    let run: Run;
    let url: string;
    let natsPort: number;
    const namespace = `late${randomBytes(4).toString('hex')}`;

    it('serves /livez at once and /readyz 503 naming what it waits for; ready once both exist, same process', async () => {
      const database = futureDatabase();
      natsPort = await freePort();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      run = start({
        DATABASE_URL: database.url,
        NATS_URL: `nats://127.0.0.1:${natsPort}`,
        NATS_NAMESPACE: namespace,
        JWT_KEY: TEST_JWT_KEY,
        PORT: String(port),
      });

      await waitFor(async () => (await fetch(`${url}/livez`)).status === 200, {
        ...DEADLINE,
        description: 'orders to answer /livez',
      });
      const waiting = await waitFor(async () => {
        const probe = await readiness(url);
        return /does not exist/.test(String(probe.body.waitingFor)) && probe;
      }, DEADLINE);
      expect(waiting.status).toBe(503);
      expect(waiting.body).toMatchObject({
        status: 'starting',
        checks: { database: 'waiting', bus: 'down' },
      });
      expect(waiting.body.waitingFor).toMatch(/^database: .*does not exist \(next attempt in \d+ ms\)$/);
      // The wait is logged with what it waits for and when it tries again.
      await waitFor(() => /waiting for database: .*next attempt in \d+ ms/.test(run.output()), DEADLINE);

      // The database appears: the service migrates it and serves, the bus still away.
      await createDatabase(database.name);
      const serving = await waitFor(async () => {
        const probe = await readiness(url);
        return probe.status === 200 && probe;
      }, DEADLINE);
      expect(serving.body).toEqual({ status: 'ready', checks: { database: 'up', bus: 'down' } });
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^bus_connected\{[^}]*\} 0$/m);

      // The bus appears where it was told to look.
      nats = await NatsServer.start({ port: natsPort });
      await waitFor(async () => {
        const probe = await readiness(url);
        return probe.status === 200 && (probe.body.checks as Record<string, string>).bus === 'up';
      }, DEADLINE);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^bus_connected\{[^}]*\} 1$/m);
      expect(run.alive()).toBe(true);
    });

    it('stays ready while nats-server is down, takes orders, and publishes them once it is back', async () => {
      if (!nats) throw new Error('the previous test starts nats-server');
      const token = `Bearer ${await signToken(TEST_JWT_KEY, { sub: 'buyer' })}`;
      await nats.kill();
      const outage = await waitFor(async () => {
        const probe = await readiness(url);
        return (probe.body.checks as Record<string, string>).bus === 'down' && probe;
      }, DEADLINE);
      expect(outage).toEqual({
        status: 200,
        body: { status: 'ready', checks: { database: 'up', bus: 'down' } },
      });
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^bus_connected\{[^}]*\} 0$/m);

      const ticket = await request(url)
        .post('/api/tickets')
        .set('Authorization', token)
        .send({ title: 'Concert', price: 2500 })
        .expect(201);
      const order = await request(url)
        .post('/api/orders')
        .set('Authorization', token)
        .send({ ticketId: ticket.body.id })
        .expect(201);
      expect((await readiness(url)).status).toBe(200);

      // The same server comes back (its store kept): the outbox delivers what was written meanwhile.
      await nats.restart();
      const bus = await Bus.connect({ url: nats.url, name: 'startup-test', namespace });
      // JetStream recovers its streams from the store after a restart: read once the stream answers again.
      await waitFor(
        async () => (await bus.jsm.streams.info(bus.streamName('ORDERS'))).state.messages >= 0,
        DEADLINE,
      );
      const recorder = await EventRecorder.start(bus, ['ORDERS']);
      try {
        // Reconnecting, JetStream recovering its store and the relay's next try take ~12 s here, more under load.
        const created = await recorder.waitFor('orders.created', (data) => data.id === order.body.id, {
          ...DEADLINE,
          timeoutMs: 90_000,
        });
        expect(created.data.ticket.id).toBe(ticket.body.id);
      } finally {
        await recorder.stop();
        await bus.close();
      }
      await waitFor(async () => {
        const probe = await readiness(url);
        return (probe.body.checks as Record<string, string>).bus === 'up';
      }, DEADLINE);
      expect(run.alive()).toBe(true);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }, 150_000);
  });

  describe('migrations as a step of their own', () => {
    it('`migrate` applies the migrations and exits 0; again, it finds the schema up to date', async () => {
      const database = futureDatabase();
      await createDatabase(database.name);
      // Only the database is needed: no NATS_URL, no JWT_KEY.
      const migrate = start({ DATABASE_URL: database.url }, ['migrate']);
      expect(await migrate.exited).toBe(0);
      expect(migrate.output()).toMatch(/applied \d+ migration\(s\)/);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const { rows } = await db.query('select count(*)::int as n from schema_migrations_service');
        expect(rows[0].n).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
      const again = start({ DATABASE_URL: database.url }, ['migrate']);
      expect(await again.exited).toBe(0);
      expect(again.output()).toMatch(/the schema is up to date/);
    });

    it('refuses an unknown command', async () => {
      const typo = start({ DATABASE_URL: infra.databaseUrl }, ['migrat']);
      expect(await typo.exited).toBe(2);
      expect(typo.output()).toMatch(/unknown command "migrat"/);
    });

    it('with MIGRATIONS=external, waits for the schema (not ready) and serves once `migrate` has run', async () => {
      const database = futureDatabase();
      await createDatabase(database.name);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const service = start({
        DATABASE_URL: database.url,
        NATS_URL: infra.natsUrl,
        NATS_NAMESPACE: `ext${randomBytes(4).toString('hex')}`,
        JWT_KEY: TEST_JWT_KEY,
        PORT: String(port),
        MIGRATIONS: 'external',
      });
      const waiting = await waitFor(async () => {
        const probe = await readiness(url).catch(() => undefined);
        return probe && /^schema: /.test(String(probe.body.waitingFor)) && probe;
      }, DEADLINE);
      expect(waiting.status).toBe(503);
      expect(waiting.body.waitingFor).toMatch(/lacks \d+ migration\(s\) \(common\/0001/);
      // It never migrates by itself: no history table appears.
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const { rows } = await db.query(`select to_regclass('schema_migrations_service') as t`);
        expect(rows[0].t).toBeNull();
      } finally {
        await db.end();
      }

      const migrate = start({ DATABASE_URL: database.url }, ['migrate']);
      expect(await migrate.exited).toBe(0);
      await waitFor(async () => (await readiness(url)).status === 200, DEADLINE);
      expect(service.alive()).toBe(true);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    });
  });
});
