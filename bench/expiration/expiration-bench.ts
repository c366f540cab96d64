/**
 * Expiration benchmark, one run on one machine: the expiration service's scheduler against pg-boss
 * (`startAfter` jobs) doing the same job on the same PostgreSQL and NATS. For each: the insert rate of
 * 1,000,000 pending expirations, the catch-up rate of a backlog already due at start-up, the firing lag
 * (due time -> expiration.completed received from JetStream) at about 2,000 due per second with the million
 * still pending, and the peak resident memory of the process doing it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { parseEnvelope } from '@ticketing/contracts';
import { Bus, createDatabase, provisionStreams } from '@ticketing/bus';
import { migrateToLatest } from '@ticketing/service';
import { NatsServer, PostgresServer, waitFor } from '@ticketing/testing';
import { migrations } from '../../expiration/src/database/migrations';
import type { ExpirationDatabase } from '../../expiration/src/database/schema';
import { percentile, printFigures, rate, verdict } from '../bench-report';
import { startServiceProcess } from '../../scripts/system/service-process';
import { PG_BOSS_QUEUE, PG_BOSS_SCHEMA, type ExpiryJob } from './pg-boss-queue';

const PENDING = 1_000_000;
const INSERT_BATCH = 5_000;
const INSERT_WRITERS = 2;
const BACKLOG = 20_000;
const DUE_PER_SECOND = 2_000;
const PACED_SECONDS = 10;
/** How long before its due time a paced expiry is inserted, as an order is created before it expires. */
const PACED_LEAD_MS = 1_000;
const PACED_TICK_MS = 50;
const JWT_KEY = 'bench-only-jwt-key-0123456789abcdef';

interface Expiry {
  orderId: string;
  dueAt: Date;
}

/** One way of firing expirations: how to schedule them, and the process that fires them. */
interface Contender {
  name: string;
  entryPoint: string;
  readyPath: string;
  databaseUrl: string;
  namespace: string;
  /** Schedules a batch of expiries in one statement. */
  schedule(batch: Expiry[]): Promise<void>;
  close(): Promise<void>;
}

interface Figures {
  insertRate: number;
  catchUpRate: number;
  paced: number;
  p50: number;
  p99: number;
  max: number;
  rss: { firstMb: number; peakMb: number };
}

function expiries(count: number, dueAt: (i: number) => Date): Expiry[] {
  return Array.from({ length: count }, (_, i) => ({ orderId: randomUUID(), dueAt: dueAt(i) }));
}

async function createDatabaseNamed(postgres: PostgresServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres.url() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return postgres.url(name);
}

async function serviceContender(postgres: PostgresServer): Promise<Contender> {
  const databaseUrl = await createDatabaseNamed(postgres, 'expiration');
  const db = createDatabase<ExpirationDatabase>({ connectionString: databaseUrl });
  await migrateToLatest(db as unknown as Kysely<unknown>, migrations);
  return {
    name: 'expiration service',
    entryPoint: 'expiration/dist/index.js',
    readyPath: '/readyz',
    databaseUrl,
    namespace: 'service',
    async schedule(batch) {
      await sql`
        insert into pending_expirations (order_id, expires_at)
        select * from unnest(${batch.map((expiry) => expiry.orderId)}::uuid[],
                             ${batch.map((expiry) => expiry.dueAt)}::timestamptz[])
        on conflict (order_id) do nothing`.execute(db);
    },
    close: () => db.destroy(),
  };
}

async function pgBossContender(postgres: PostgresServer): Promise<Contender> {
  const databaseUrl = await createDatabaseNamed(postgres, 'pgboss');
  // The worker process writes to an outbox, as the service does.
  const db = createDatabase<unknown>({ connectionString: databaseUrl });
  await migrateToLatest(db);
  await db.destroy();
  // Only to create the schema and queue and to send jobs: the worker runs in its own process.
  const boss = new PgBoss({ connectionString: databaseUrl, schema: PG_BOSS_SCHEMA, supervise: false });
  await boss.start();
  await boss.createQueue(PG_BOSS_QUEUE);
  return {
    name: 'pg-boss 10',
    entryPoint: `${PG_BOSS_BUILD}/pg-boss-process.js`,
    readyPath: '/',
    databaseUrl,
    namespace: 'pgboss',
    async schedule(batch) {
      await boss.insert(
        batch.map((expiry) => ({
          name: PG_BOSS_QUEUE,
          data: { orderId: expiry.orderId } satisfies ExpiryJob,
          startAfter: expiry.dueAt,
        })),
      );
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

/** When each expiration.completed of a namespace reached a JetStream consumer, by order id. */
async function observeFirings(bus: Bus) {
  const firedAt = new Map<string, number>();
  const consumer = await bus.js.consumers.get(bus.streamName('EXPIRATION'));
  const messages = await consumer.consume();
  void (async () => {
    for await (const msg of messages) {
      const parsed = parseEnvelope('expiration.completed', msg.data);
      if (parsed.ok) firedAt.set(parsed.envelope.data.orderId, Date.now());
    }
  })();
  return { firedAt, stop: () => messages.close() };
}

/** The process's resident memory when it first answers, and its peak, read from its /metrics while it runs. */
function trackRss(url: string) {
  let first = 0;
  let peak = 0;
  const timer = setInterval(() => {
    fetch(`${url}/metrics`)
      .then((response) => response.text())
      .then((text) => {
        const bytes = Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
        first ||= bytes;
        if (bytes > peak) peak = bytes;
      })
      .catch(() => undefined);
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return { firstMb: first / 1024 / 1024, peakMb: peak / 1024 / 1024 };
    },
  };
}

async function scheduleAll(contender: Contender, all: Expiry[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: INSERT_WRITERS }, async () => {
      while (next < all.length) {
        const start = next;
        next += INSERT_BATCH;
        await contender.schedule(all.slice(start, start + INSERT_BATCH));
      }
    }),
  );
}

async function measure(contender: Contender, nats: NatsServer): Promise<Figures> {
  console.log(`\n${contender.name}: scheduling ${PENDING.toLocaleString('en-US')} expiries an hour ahead...`);
  const inHour = Date.now() + 3_600_000;
  const insertStarted = performance.now();
  for (let done = 0; done < PENDING; done += 100_000) {
    await scheduleAll(
      contender,
      expiries(100_000, () => new Date(inHour)),
    );
  }
  const insertRate = rate(PENDING, performance.now() - insertStarted);

  const bus = await Bus.connect({ url: nats.url, name: 'bench', namespace: contender.namespace });
  await provisionStreams(bus);
  const observer = await observeFirings(bus);
  const backlog = expiries(BACKLOG, () => new Date(Date.now() - 1_000));
  await scheduleAll(contender, backlog);

  console.log(`${contender.name}: starting, with ${BACKLOG.toLocaleString('en-US')} expiries already due...`);
  const firing = await startServiceProcess(contender.name, contender.entryPoint, {
    env: {
      DATABASE_URL: contender.databaseUrl,
      NATS_URL: nats.url,
      NATS_NAMESPACE: contender.namespace,
      JWT_KEY,
    },
    readyPath: contender.readyPath,
    nodeArgs: DEPLOYED_NODE_FLAGS,
  });
  const rss = trackRss(firing.url);
  try {
    await waitFor(() => backlog.every((expiry) => observer.firedAt.has(expiry.orderId)), {
      timeoutMs: 300_000,
      intervalMs: 50,
      description: 'the backlog',
    });
    const backlogTimes = backlog.map((expiry) => observer.firedAt.get(expiry.orderId) as number);
    const catchUpRate = rate(BACKLOG, Math.max(...backlogTimes) - Math.min(...backlogTimes));

    console.log(`${contender.name}: ${DUE_PER_SECOND} due per second for ${PACED_SECONDS} s...`);
    const started = Date.now();
    const paced = expiries(
      DUE_PER_SECOND * PACED_SECONDS,
      (i) => new Date(started + PACED_LEAD_MS + (i / DUE_PER_SECOND) * 1000),
    );
    const perTick = (DUE_PER_SECOND * PACED_TICK_MS) / 1000;
    for (let tick = 0; tick * perTick < paced.length; tick++) {
      const wait = started + tick * PACED_TICK_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await contender.schedule(paced.slice(tick * perTick, (tick + 1) * perTick));
    }
    await waitFor(() => paced.every((expiry) => observer.firedAt.has(expiry.orderId)), {
      timeoutMs: 120_000,
      intervalMs: 50,
      description: 'the paced expiries',
    });
    const lags = paced
      .map((expiry) => (observer.firedAt.get(expiry.orderId) as number) - expiry.dueAt.getTime())
      .sort((a, b) => a - b);
    return {
      insertRate,
      catchUpRate,
      paced: paced.length,
      p50: percentile(lags, 0.5),
      p99: percentile(lags, 0.99),
      max: lags[lags.length - 1] ?? Number.NaN,
      rss: rss.stop(),
    };
  } finally {
    rss.stop();
    await firing.stop();
    await observer.stop();
    await bus.close();
    await contender.close();
  }
}

function report(name: string, figures: Figures): void {
  printFigures(name, [
    [
      `insert ${PENDING.toLocaleString('en-US')} pending (rows/s, ${INSERT_BATCH} per statement)`,
      figures.insertRate,
    ],
    [`catch-up of ${BACKLOG.toLocaleString('en-US')} due at start-up (fired/s)`, figures.catchUpRate],
    [`firing lag p50 at ${DUE_PER_SECOND}/s (ms)`, figures.p50],
    [`firing lag p99 at ${DUE_PER_SECOND}/s (ms)`, figures.p99],
    ['firing lag max (ms)', figures.max],
    ['RSS when ready (MB)', figures.rss.firstMb],
    ['peak RSS (MB)', figures.rss.peakMb],
  ]);
}

/**
 * Both contenders run compiled, on plain node, as the service's image runs it: the service from `npm run
 * build`'s output, pg-boss's process compiled beside it. (Under tsx each would carry its compiler too.)
 */
const repository = join(__dirname, '..', '..');
/** The heap limits the expiration Deployment sets (NODE_OPTIONS in expiration-config), given to both contenders alike. */
const DEPLOYED_NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];
const PG_BOSS_BUILD = 'node_modules/.cache/bench-expiration';

function compileContenders(): void {
  const tsc = join(repository, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-b', 'packages/contracts', 'packages/bus', 'packages/service', 'expiration'], {
    cwd: repository,
    stdio: 'inherit',
  });
  execFileSync(
    tsc,
    [
      ...['bench/expiration/pg-boss-process.ts', 'bench/expiration/pg-boss-queue.ts'],
      ...[
        '--outDir',
        PG_BOSS_BUILD,
        '--module',
        'node20',
        '--target',
        'es2023',
        '--esModuleInterop',
        '--skipLibCheck',
      ],
    ],
    { cwd: repository, stdio: 'inherit' },
  );
}

async function main() {
  compileContenders();
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  try {
    const service = await measure(await serviceContender(postgres), nats);
    const boss = await measure(await pgBossContender(postgres), nats);
    report('Expiration service (pending_expirations + scheduler, via outbox and JetStream)', service);
    report('pg-boss 10 (startAfter jobs, 500 per fetch, 0.5 s polling, same outbox and JetStream)', boss);
    printFigures('Targets', [
      ['firing lag p99 < 250 ms', verdict(service.p99 < 250)],
      ['peak RSS < 150 MB', verdict(service.rss.peakMb < 150)],
      ['insert rate >= pg-boss', verdict(service.insertRate >= boss.insertRate)],
      ['catch-up rate >= pg-boss', verdict(service.catchUpRate >= boss.catchUpRate)],
    ]);
  } finally {
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
