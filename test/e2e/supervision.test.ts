import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus, provisionStreams } from '@ticketing/bus';
import {
  createTestInfrastructure,
  NatsServer,
  PostgresServer,
  waitFor,
  type TestInfrastructure,
} from '@ticketing/testing';
import pg from 'pg';
import request from 'supertest';
import { startGateway } from '../../scripts/system/gateway';
import { SERVICES } from '../../scripts/system/local-system';
import { SupervisedProcess } from '../../scripts/system/supervised-process';
import { Client, startSystem } from './system-client';

const repository = join(__dirname, '..', '..');

function expectServiceUnavailable(response: request.Response, service: string) {
  expect(response.status).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(response.body).toEqual({ errors: [{ message: `${service} is unavailable; retry shortly` }] });
}

describe('a service that crashes', () => {
  let running: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    running = await startSystem();
  });

  afterAll(async () => {
    await running.stop();
  });

  it('is answered for with a 503 to retry while the supervisor restarts it, then serves again', async () => {
    const seller = await Client.as(running.system, 'seller');
    const before = await seller.sellTicket();
    const orders = running.system.services.orders;
    const crashed = orders.pid;
    orders.kill('SIGKILL');
    await waitFor(() => orders.restarts === 1, { description: 'the supervisor to see orders exit' });

    const answers: request.Response[] = [];
    await waitFor(
      async () => {
        const response = await seller.get(`/api/tickets/${before}`);
        answers.push(response);
        return response.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'orders to serve again' },
    );
    const duringOutage = answers.slice(0, -1);
    expect(duringOutage.length).toBeGreaterThan(0);
    // Down: the entry point answers for it. Restarted but not ready yet: the service answers itself, alike.
    for (const response of duringOutage) {
      if (response.body.errors?.[0]?.message === 'The service is starting; retry shortly') {
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      } else {
        expectServiceUnavailable(response, 'orders');
      }
    }

    expect(orders.pid).not.toBe(crashed);
    await orders.waitUntilReady();
    await seller.sellTicket();
  });
});

describe('the entry point, in front of a service that fails', () => {
  let upstream: Server;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url === '/api/orders/reset') {
        req.socket.destroy();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
        res.write('{"partial":', () => req.socket.destroy());
      }
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const nobodyListening = 'http://127.0.0.1:1';
    gateway = await startGateway(0, {
      orders: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      payments: nobodyListening,
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => gateway.server.close(resolve));
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('answers 503 when the service refuses the connection', async () => {
    expectServiceUnavailable(await request(gateway.url).post('/api/payments').send({}), 'payments');
  });

  it('answers 503 when the service drops the connection mid-request', async () => {
    expectServiceUnavailable(await request(gateway.url).get('/api/orders/reset'), 'orders');
  });

  it('drops the connection when the service dies mid-answer, rather than leave the client waiting', async () => {
    // Waiting would end in a timeout error; a dropped connection ends the body with "terminated".
    const body = fetch(`${gateway.url}/api/orders/partial`, { signal: AbortSignal.timeout(10_000) }).then(
      (response) => response.text(),
    );
    await expect(body).rejects.toThrow('terminated');
  });
});

describe('a supervised process', () => {
  it('is restarted with a backoff that doubles with each crash in a row', async () => {
    const logged: unknown[] = [];
    const consoleLog = jest.spyOn(console, 'log').mockImplementation((line) => logged.push(line));
    const startedAt: number[] = [];
    const startedPids: Array<number | undefined> = [];
    const crashing = new SupervisedProcess('crasher', () => {
      startedAt.push(Date.now());
      const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
      startedPids.push(child.pid);
      return child;
    });
    crashing.supervise();
    try {
      await waitFor(() => startedAt.length === 4, { timeoutMs: 15_000, description: 'three restarts' });
    } finally {
      await crashing.stop();
      consoleLog.mockRestore();
    }
    const delays = startedAt.slice(1).map((at, i) => at - (startedAt[i] as number));
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[1]).toBeGreaterThanOrEqual(1000);
    expect(delays[2]).toBeGreaterThanOrEqual(2000);
    // The last run may have exited too by the time the supervision stopped.
    expect(logged.slice(0, 6)).toEqual([
      '[crasher] exited (code 3); restarting in 0.5 s (restart #1)',
      `[crasher] restarted as pid ${startedPids[1]}`,
      '[crasher] exited (code 3); restarting in 1.0 s (restart #2)',
      `[crasher] restarted as pid ${startedPids[2]}`,
      '[crasher] exited (code 3); restarting in 2.0 s (restart #3)',
      `[crasher] restarted as pid ${startedPids[3]}`,
    ]);
  });
});

/** A /proc file of NUL-separated entries: a process's environment or command line. */
function procEntries(pid: string, file: 'environ' | 'cmdline'): string[] {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0');
  } catch {
    return []; // gone meanwhile
  }
}

/** The services of the system on bus namespace `namespace`, found even after their parent has exited. */
function servicesOn(namespace: string): number[] {
  const entryPoints = SERVICES.map((service) => join(repository, service, 'src', 'index.ts'));
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter(
      (pid) =>
        procEntries(pid, 'environ').includes(`NATS_NAMESPACE=${namespace}`) &&
        procEntries(pid, 'cmdline').some((argument) => entryPoints.includes(argument)),
    )
    .map(Number);
}

describe('npm start, with every server given by URL', () => {
  let infra: TestInfrastructure;
  let urls: Record<string, string>;
  let scratch: string;
  let main: ChildProcess | undefined;
  let runs = 0;

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    urls = {
      ORDERS_DATABASE_URL: await infra.createDatabase(),
      PAYMENTS_DATABASE_URL: await infra.createDatabase(),
      EXPIRATION_DATABASE_URL: await infra.createDatabase(),
      NATS_URL: infra.natsUrl,
    };
    scratch = mkdtempSync(join(tmpdir(), 'ticketing-start-'));
  });

  afterEach(async () => {
    if (main && main.exitCode === null && main.signalCode === null) {
      main.kill('SIGTERM');
      await once(main, 'exit');
    }
  });

  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await infra.dispose();
  });

  /** scripts/system/main.ts as scripts/start.mjs runs it, with a bus namespace and data dir of its own. */
  function start(env: Record<string, string> = {}) {
    runs += 1;
    const namespace = `${infra.namespace}_${runs}`;
    const dataDir = env.TICKETING_DATA_DIR ?? join(scratch, `run-${runs}`, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repository, 'scripts/system/main.ts')], {
      cwd: repository,
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: join(repository, 'tsconfig.json'),
        PORT: '0',
        LOG_LEVEL: 'warn',
        NATS_NAMESPACE: namespace,
        TICKETING_DATA_DIR: dataDir,
        ...urls,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    main = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = once(child, 'exit').then(([code]) => code as number | null);
    const services = () => servicesOn(namespace);
    return { child, dataDir, output: () => output, exitCode, services };
  }

  it('comes up on a checkout without a data dir, and SIGTERM stops every process', async () => {
    const system = start();
    const up = await waitFor(
      () =>
        /ticketing is up: open (\S+?)\/ in a browser[\s\S]*export TOKEN=(\S+)/.exec(system.output()) ??
        undefined,
      { timeoutMs: 90_000, description: 'the system to come up' },
    );
    const [url, token] = up.slice(1) as [string, string];
    await request(url).get('/api/tickets').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await request(url).get('/').expect(200)).text).toContain('<div id="root">');
    expect(JSON.parse(readFileSync(join(system.dataDir, 'system.json'), 'utf8')).url).toBe(url);
    expect(system.services()).toHaveLength(3);

    system.child.kill('SIGTERM');
    expect(await system.exitCode).toBe(0);
    expect(system.services()).toEqual([]);
  }, 120_000);

  it('exits non-zero when a service cannot start, leaving no process behind', async () => {
    // Nobody will ever listen there: the service, never ready without its database, gives up waiting for
    // it after a second. (Without its bus it would serve: the outbox keeps the events, decision 0015.)
    const system = start({
      ORDERS_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/orders',
      STARTUP_DEPENDENCY_TIMEOUT_SECONDS: '1',
    });
    expect(await system.exitCode).toBe(1);
    expect(system.output()).toMatch(/orders exited \(code 1\) while starting/);
    expect(system.services()).toEqual([]);
  }, 120_000);

  it('stops every service it started when it fails after they are up', async () => {
    // system.json cannot be written: the failure comes after the whole system is up.
    const dataDir = join(scratch, 'unwritable');
    mkdirSync(join(dataDir, 'system.json'), { recursive: true });
    const system = start({ TICKETING_DATA_DIR: dataDir });
    expect(await system.exitCode).toBe(1);
    expect(system.output()).toMatch(/EISDIR/);
    expect(system.services()).toEqual([]);
  }, 120_000);
});

describe('the servers a chaos test kills', () => {
  it('PostgreSQL comes back after an immediate stop, on the same port with its data', async () => {
    const postgres = await PostgresServer.start({ durable: true });
    try {
      const query = async (statement: string) => {
        const client = new pg.Client({ connectionString: postgres.url() });
        await client.connect();
        try {
          return await client.query(statement);
        } finally {
          await client.end();
        }
      };
      await query('create table kept (id int); insert into kept values (1)');
      await postgres.stopImmediately();
      await expect(query('select 1')).rejects.toThrow();
      await postgres.restart();
      expect((await query('select id from kept')).rows).toEqual([{ id: 1 }]);
    } finally {
      await postgres.stop();
    }
  });

  it('nats-server comes back after a kill, on the same port with its streams', async () => {
    const nats = await NatsServer.start();
    const connect = () => Bus.connect({ url: nats.url, name: 'chaos', namespace: 'kept' });
    try {
      const bus = await connect();
      await provisionStreams(bus);
      const stream = bus.streamName('ORDERS');
      await bus.close();
      await nats.kill();
      await expect(connect()).rejects.toThrow();
      await nats.restart();
      const again = await connect();
      try {
        expect((await again.jsm.streams.info(stream)).config.name).toBe(stream);
      } finally {
        await again.close();
      }
    } finally {
      await nats.stop();
    }
  });
});
