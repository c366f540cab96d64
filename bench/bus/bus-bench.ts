/**
 * Bus benchmark, one run on one machine: raw JetStream publish rates (the baseline), then the outbox ->
 * relay -> JetStream -> listener (inbox + handler in a transaction) pipeline measured against it, with the
 * relay and the listener in processes of their own as in a deployment.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Bus, createDatabase, enqueueAll, provisionStreams } from '@ticketing/bus';
import { migrateToLatest, type CommonTables } from '@ticketing/service';
import { NatsServer, PostgresServer, waitFor } from '@ticketing/testing';
import { availableParallelism } from 'node:os';
import { percentile, printFigures, rate, verdict } from '../bench-report';
import { cpuDuring } from '../process-cpu';

const RAW_SERIAL = 5_000;
const RAW_WINDOWED = 40_000;
const WINDOW = 256;
const BACKLOG = 30_000;
const LATENCY_SECONDS = 5;
const now = () => performance.timeOrigin + performance.now();
const expirationCompleted = () =>
  ({ subject: 'expiration.completed', data: { orderId: randomUUID() } }) as const;

async function rawPublishRate(bus: Bus, count: number, window: number): Promise<number> {
  const subject = bus.wireSubject('tickets.created');
  const payload = JSON.stringify({
    id: randomUUID(),
    subject: 'tickets.created',
    data: { title: 'x'.repeat(64) },
  });
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const publish = bus.js
      .publish(subject, payload, { msgID: randomUUID() })
      .finally(() => inFlight.delete(publish));
    inFlight.add(publish);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return rate(count, performance.now() - started);
}

/**
 * A relay or listener process, loaded and connected but idle until `go`; `handledAt` collects what a
 * listener reports, `cpuMs` asks how much CPU it has used since `go`.
 */
async function startPipelineProcess(role: 'relay' | 'listener', databaseUrl: string, natsUrl: string) {
  const handledAt = new Map<string, number>();
  const child: ChildProcess = fork(join(__dirname, 'pipeline-process.ts'), [role, databaseUrl, natsUrl], {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof", looks inside the relay and the listener.
    execArgv: [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'],
  });
  const cpuReports: Array<(cpuMs: number) => void> = [];
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: { ready?: boolean; handled?: Array<[string, number]>; cpuMs?: number }) => {
      if (message.ready) resolve();
      if (message.cpuMs !== undefined) cpuReports.shift()?.(message.cpuMs);
      for (const [id, at] of message.handled ?? []) handledAt.set(id, at);
    });
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
  return {
    handledAt,
    go: () => child.send('go'),
    cpuMs: () =>
      new Promise<number>((resolve) => {
        cpuReports.push(resolve);
        child.send('cpu');
      }),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

async function main() {
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  const db = createDatabase<CommonTables>({ connectionString: postgres.url(), maxConnections: 20 });
  const bus = await Bus.connect({ url: nats.url, name: 'bench', namespace: 'bench' });
  const children: Array<{ stop(): Promise<void> }> = [];
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
    await provisionStreams(bus);

    const servers = { postgres: postgres.pid, nats: nats.pid as number };
    const cores = availableParallelism();
    const serial = await rawPublishRate(bus, RAW_SERIAL, 1);
    const publisherCpu = process.cpuUsage();
    const { result: windowed, cpuMs: rawServerCpuMs } = await cpuDuring(servers, () =>
      rawPublishRate(bus, RAW_WINDOWED, WINDOW),
    );
    const { user, system } = process.cpuUsage(publisherCpu);
    printFigures(
      'Raw JetStream publish (file storage, awaiting each PubAck, same client settings as the relay)',
      [
        ['one at a time (msg/s)', serial],
        [`${WINDOW} in flight (msg/s)`, windowed],
        ['  publisher CPU per message (µs)', (user + system) / RAW_WINDOWED],
        ['  nats-server CPU per message (µs)', (rawServerCpuMs.nats * 1000) / RAW_WINDOWED],
      ],
    );

    // Throughput: a backlog in the outbox, drained through relay, stream, listener and inbox.
    for (let i = 0; i < BACKLOG / 500; i++) {
      await db.transaction().execute(async (trx) => {
        await enqueueAll(trx, Array.from({ length: 500 }, expirationCompleted));
      });
    }
    const listener = await startPipelineProcess('listener', postgres.url(), nats.url);
    children.push(listener);
    const relay = await startPipelineProcess('relay', postgres.url(), nats.url);
    children.push(relay);
    listener.go();
    const drainStarted = performance.now();
    const { cpuMs: drainServerCpuMs } = await cpuDuring(servers, async () => {
      relay.go();
      await waitFor(() => listener.handledAt.size >= BACKLOG, { timeoutMs: 300_000, intervalMs: 5 });
    });
    const pipeline = rate(BACKLOG, performance.now() - drainStarted);
    const [relayCpuMs, listenerCpuMs] = await Promise.all([relay.cpuMs(), listener.cpuMs()]);
    const perEvent = (cpuMs: number) => (cpuMs * 1000) / BACKLOG;
    const eventCpuUs =
      perEvent(relayCpuMs) +
      perEvent(listenerCpuMs) +
      perEvent(drainServerCpuMs.postgres) +
      perEvent(drainServerCpuMs.nats);
    const throughputRatio = pipeline / windowed;
    printFigures('Outbox -> relay -> JetStream -> listener (inbox insert and handler in one transaction)', [
      ['pipeline throughput (events/s)', pipeline],
      ['  relay CPU per event (µs)', perEvent(relayCpuMs)],
      ['  listener CPU per event (µs)', perEvent(listenerCpuMs)],
      ['  PostgreSQL CPU per event (µs)', perEvent(drainServerCpuMs.postgres)],
      ['  nats-server CPU per event (µs)', perEvent(drainServerCpuMs.nats)],
      [`  ceiling at that cost on ${cores} cores (events/s)`, (cores * 1e6) / eventCpuUs],
      ['ratio to raw windowed publish', throughputRatio],
      ['target >= 0.5', verdict(throughputRatio >= 0.5)],
    ]);

    // Latency: paced commits at half the pipeline's throughput. A writer commits one event per transaction
    // up to what one machine's writers can commit (about 1,500/s here), and a few per transaction above that,
    // in one insert as a service does.
    const targetRate = pipeline / 2;
    const eventsPerCommit = Math.ceil(targetRate / 1_500);
    const total = Math.round(targetRate * LATENCY_SECONDS);
    const committedAt = new Map<string, number>();
    const writers = 16;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = writer * eventsPerCommit; i < total; i += writers * eventsPerCommit) {
          const wait = started + (i / targetRate) * 1000 - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const ids = await db.transaction().execute(async (trx) => {
            const events = await enqueueAll(
              trx,
              Array.from({ length: eventsPerCommit }, expirationCompleted),
            );
            return events.map((event) => event.id);
          });
          const at = now();
          for (const id of ids) committedAt.set(id, at);
        }
      }),
    );
    const achieved = rate(committedAt.size, performance.now() - started);
    await waitFor(() => [...committedAt.keys()].every((id) => listener.handledAt.has(id)), {
      timeoutMs: 120_000,
    });
    const latencies = [...committedAt]
      .map(([id, at]) => (listener.handledAt.get(id) as number) - at)
      .sort((a, b) => a - b);
    const p99 = percentile(latencies, 0.99);
    printFigures(
      `Commit -> handler latency, ${Math.round(achieved)} events/s offered (target rate ${Math.round(targetRate)})`,
      [
        ['events', committedAt.size],
        ['events per transaction', eventsPerCommit],
        ['p50 (ms)', percentile(latencies, 0.5)],
        ['p99 (ms)', p99],
        ['max (ms)', latencies[latencies.length - 1] ?? Number.NaN],
        ['target p99 < 50 ms', verdict(p99 < 50)],
      ],
    );
  } finally {
    for (const child of children.reverse()) await child.stop();
    await bus.close();
    await db.destroy();
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
