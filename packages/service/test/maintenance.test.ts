import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import {
  commonRetentionSweeps,
  ConfigError,
  loadConfig,
  MaintenanceScheduler,
  migrateToLatest,
  serviceConfig,
  startService,
  type CommonTables,
  type MaintenanceTask,
} from '@ticketing/service';
import { createDatabase, createMetricsRegistry, type Registry } from '@ticketing/bus';
import { createTestInfrastructure, waitFor, type TestInfrastructure } from '@ticketing/testing';
import { exampleService } from './fixtures/example-service';

const silentLogger = pino({ level: 'silent' });
const EVERY_SECOND = '* * * * * *';
const retention = { OUTBOX_RETENTION_HOURS: 2, INBOX_RETENTION_HOURS: 2, IDEMPOTENCY_KEY_RETENTION_HOURS: 2 };

async function metricTotal(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

describe('scheduled maintenance', () => {
  let infra: TestInfrastructure;
  let db: Kysely<CommonTables>;
  const schedulers: MaintenanceScheduler<CommonTables>[] = [];

  function replica(tasks: MaintenanceTask[], metrics: Registry = createMetricsRegistry('test')) {
    const scheduler = new MaintenanceScheduler({
      db,
      tasks,
      defaultSchedule: EVERY_SECOND,
      logger: silentLogger,
      metrics,
    });
    schedulers.push(scheduler);
    return scheduler;
  }

  async function insertOutbox(count: number, age: string, sent: boolean) {
    await sql`
      insert into outbox (event_id, subject, envelope, created_at, sent_at)
      select gen_random_uuid(), 'expiration.completed', '{}', now() - ${age}::interval,
             case when ${sent} then now() - ${age}::interval end
      from generate_series(1, ${count})`.execute(db);
  }

  async function insertInbox(count: number, age: string) {
    await sql`
      insert into inbox (consumer, event_id, processed_at)
      select 'test-consumer', gen_random_uuid(), now() - ${age}::interval from generate_series(1, ${count})`.execute(
      db,
    );
  }

  async function insertIdempotencyKeys(count: number, age: string) {
    await sql`
      insert into idempotency_keys (scope, key, request_hash, created_at)
      select 'test', gen_random_uuid()::text, 'hash', now() - ${age}::interval from generate_series(1, ${count})`.execute(
      db,
    );
  }

  async function count(table: 'outbox' | 'inbox' | 'idempotency_keys') {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    db = createDatabase<CommonTables>({ connectionString: infra.databaseUrl });
    await migrateToLatest(db as unknown as Kysely<unknown>);
  });

  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.stop();
    await sql`truncate outbox, inbox, idempotency_keys`.execute(db);
  });

  afterAll(async () => {
    await db.destroy();
    await infra.dispose();
  });

  it('sweeps sent outbox rows, inbox records and idempotency keys past retention, in batches, and nothing else', async () => {
    await insertOutbox(30, '3 hours', true);
    await insertOutbox(5, '1 hour', true);
    await insertOutbox(7, '3 hours', false);
    await insertInbox(2_500, '3 hours');
    await insertInbox(10, '1 hour');
    await insertIdempotencyKeys(40, '3 hours');
    await insertIdempotencyKeys(4, '10 minutes');
    const sweeps = commonRetentionSweeps(db, retention);
    const scheduler = replica(sweeps);

    const runs = [];
    for (const sweep of sweeps) runs.push([sweep.name, await scheduler.runExclusively(sweep)]);
    expect(Object.fromEntries(runs)).toEqual({
      'sent-outbox-rows': { outcome: 'ran', removed: 30 },
      'inbox-records': { outcome: 'ran', removed: 2_500 },
      'idempotency-keys': { outcome: 'ran', removed: 40 },
    });
    // Recent rows stay, and so do unsent events however old.
    expect(await count('outbox')).toBe(12);
    expect(await count('inbox')).toBe(10);
    expect(await count('idempotency_keys')).toBe(4);
    const again = await scheduler.runExclusively(sweeps[1] as MaintenanceTask);
    expect(again).toEqual({ outcome: 'ran', removed: 0 });
  });

  it('lets one replica at a time run a task: the other skips the run it would duplicate', async () => {
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task: MaintenanceTask = {
      name: 'slow-task',
      async run() {
        started += 1;
        await gate;
        return 1;
      },
    };
    const [first, second] = [replica([task]), replica([task])];
    const running = first.runExclusively(task);
    await waitFor(() => started === 1);
    expect(await second.runExclusively(task)).toEqual({ outcome: 'skipped' });
    release();
    expect(await running).toEqual({ outcome: 'ran', removed: 1 });
    expect(started).toBe(1);
  });

  it('runs on the cron schedule in every replica, and one of two replicas firing together does the work', async () => {
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task: MaintenanceTask = {
      name: 'scheduled-task',
      async run() {
        started += 1;
        await gate;
        return 0;
      },
    };
    const metrics = [createMetricsRegistry('a'), createMetricsRegistry('b')];
    for (const registry of metrics) await replica([task], registry).start();
    const skipped = () =>
      Promise.all(
        metrics.map((registry) => metricTotal(registry, 'maintenance_runs_total', { outcome: 'skipped' })),
      );
    await waitFor(async () => (await skipped()).reduce((sum, value) => sum + value, 0) >= 1);
    expect(started).toBe(1);
    release();
    await waitFor(async () => {
      const ran = await Promise.all(
        metrics.map((registry) => metricTotal(registry, 'maintenance_runs_total', { outcome: 'ran' })),
      );
      return ran.reduce((sum, value) => sum + value, 0) >= 1;
    });
  });

  it('startService sweeps on MAINTENANCE_SCHEDULE; two replicas remove each row once between them', async () => {
    const serviceInfra = await createTestInfrastructure();
    const env = {
      DATABASE_URL: serviceInfra.databaseUrl,
      NATS_URL: serviceInfra.natsUrl,
      NATS_NAMESPACE: serviceInfra.namespace,
      JWT_KEY: 'maintenance-test-key-0123456789',
      PORT: '0',
      MAINTENANCE_SCHEDULE: EVERY_SECOND,
      INBOX_RETENTION_HOURS: '2',
    };
    const replicas = await Promise.all([
      startService(exampleService, env, silentLogger),
      startService(exampleService, env, silentLogger),
    ]);
    try {
      const serviceDb = replicas[0].db;
      await sql`
        insert into inbox (consumer, event_id, processed_at)
        select 'test', gen_random_uuid(), now() - interval '3 hours' from generate_series(1, 5000)
        union all
        select 'test', gen_random_uuid(), now() - interval '1 hour' from generate_series(1, 3)`.execute(
        serviceDb,
      );
      const removed = () =>
        Promise.all(
          replicas.map((service) =>
            metricTotal(service.metrics, 'maintenance_rows_removed_total', { task: 'inbox-records' }),
          ),
        );
      await waitFor(async () => (await removed()).reduce((sum, value) => sum + value, 0) >= 5000, {
        timeoutMs: 20_000,
      });
      const remaining = await serviceDb
        .selectFrom('inbox')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      expect(Number(remaining.count)).toBe(3);
      expect((await removed()).reduce((sum, value) => sum + value, 0)).toBe(5000);
    } finally {
      await Promise.all(replicas.map((service) => service.stop()));
      await serviceInfra.dispose();
    }
  });

  it('refuses a MAINTENANCE_SCHEDULE that is not a cron expression, naming it', () => {
    const load = () =>
      loadConfig(serviceConfig, {
        DATABASE_URL: 'postgres://localhost/db',
        NATS_URL: 'nats://localhost:4222',
        JWT_KEY: 'maintenance-test-key-0123456789',
        MAINTENANCE_SCHEDULE: 'every tuesday',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/MAINTENANCE_SCHEDULE: must be a cron expression/);
  });
});
