/**
 * POST /api/orders under load (50 connections), against a bare express + pg handler doing one INSERT,
 * measured in the same run on the same machine. Every request reserves a different ticket, so each one is
 * a real reservation: ticket lock, order insert, ticket update, two outbox events, and their publishing.
 * Both run compiled on plain node, as the images run the service.
 *
 * `-- --statements` loads pg_stat_statements into the cluster (a restart) and prints, after the figures, the
 * statements PostgreSQL ran for the load: those of the reservation, the outbox relay's, and the ones the
 * triggers run. It costs PostgreSQL some CPU, so the figures of such a run are not the ones to compare.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { signToken } from '@ticketing/service';
import { NatsServer, PostgresServer, waitFor } from '@ticketing/testing';
import { printFigures, verdict } from '../bench-report';
import { compileBenchProcesses, howItRuns } from '../compiled';
import { cpuDuring } from '../process-cpu';
import {
  BENCH_MARK,
  enableStatementStatistics,
  printStatements,
  printTableWrites,
  resetStatementStatistics,
  settleTableStatistics,
  sql,
  statementsOf,
} from '../pg-statements';
import { runLoad, type LoadFigures } from '../http-load';
import { buildServices, startServiceProcess } from '../../scripts/system/service-process';

const CONNECTIONS = 50;
const SECONDS = 10;
const TICKETS = 150_000;
const JWT_KEY = 'bench-only-jwt-key-0123456789abcdef';
const STATEMENTS = process.argv.includes('--statements');
/** `-- --warmup N`: seconds of load before each measured one (0: measure from a cold start). */
const WARMUP_SECONDS = process.argv.includes('--warmup')
  ? Number(process.argv[process.argv.indexOf('--warmup') + 1])
  : 3;

/** Issue 18's targets. */
const TARGET_SERVICE_CPU_US = 700;
/** The issue states the service's target as "0.7 ms (2x the bare handler)": the bare handler's cost then. */
const TARGET_MULTIPLE_OF_BARE = 2;
const TARGET_DATABASE_CPU_US = 500;
const TARGET_RATIO = 0.4;

type Figures = LoadFigures & {
  serviceCpuUs: number;
  databaseCpuUs: number;
  natsCpuUs: number;
  /** How long after the load the last of its events left the outbox (included in the CPU figures). */
  drainMs: number;
  /** How many of the ticket ids the load took, the warm-up's included. */
  used: number;
};

/**
 * The load on one contender after a warm-up, and the CPU that it, the database and nats-server spent per
 * request from the measured load's start until `settled` (its events published), so that work left behind
 * by the load counts too. `beforeMeasuring` runs between the warm-up and the measured load.
 */
async function load(
  contender: { url: string; pid: number },
  servers: { postgres: number; nats: number },
  authorization: string,
  ticketIds: string[],
  {
    settled = async () => undefined,
    beforeMeasuring = async () => undefined,
    connections = CONNECTIONS,
    warmupSeconds = WARMUP_SECONDS,
  }: {
    settled?: () => Promise<unknown>;
    beforeMeasuring?: () => Promise<unknown>;
    connections?: number;
    warmupSeconds?: number;
  } = {},
): Promise<Figures> {
  let next = 0;
  let drainMs = 0;
  const run = (duration: number) =>
    runLoad({
      url: `${contender.url}/api/orders`,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ ticketId: ticketIds[next++ % ticketIds.length] }),
          }),
        },
      ],
    });
  // Not measured: V8 compiles the hot code in the first seconds (a tenth of the service's CPU in a cold
  // run), a one-off of each process start, not a cost per request.
  if (warmupSeconds > 0) {
    await run(warmupSeconds);
    await settled();
  }
  await beforeMeasuring();
  const { result, cpuMs } = await cpuDuring(
    { service: contender.pid, database: servers.postgres, nats: servers.nats },
    async () => {
      const figures = await run(SECONDS);
      const loadEnded = performance.now();
      await settled();
      drainMs = performance.now() - loadEnded;
      return figures;
    },
  );
  return {
    ...result,
    serviceCpuUs: (cpuMs.service * 1000) / result.requests,
    databaseCpuUs: (cpuMs.database * 1000) / result.requests,
    natsCpuUs: (cpuMs.nats * 1000) / result.requests,
    drainMs,
    used: next,
  };
}

async function main() {
  // Both contenders compiled, on plain node with NODE_ENV=production, as the images run the service.
  buildServices(['orders']);
  const [bareEntry] = compileBenchProcesses(['bench/orders/bare-insert-server.ts']) as [string];
  const ordersEntry = 'orders/dist/index.js';

  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  const stops: Array<() => Promise<void>> = [];
  try {
    if (STATEMENTS) await enableStatementStatistics(postgres);
    await sql(postgres.url(), 'create database orders_bench');
    await sql(postgres.url(), 'create database bare_bench');
    const ordersUrl = postgres.url('orders_bench');
    const bareUrl = postgres.url('bare_bench');
    await sql(
      bareUrl,
      'create table bare_orders (id uuid primary key, ticket_id uuid not null, created_at timestamptz not null default now())',
    );
    if (STATEMENTS) {
      await sql(ordersUrl, 'create extension pg_stat_statements');
    }

    const bare = await startServiceProcess('bare', bareEntry, { env: { DATABASE_URL: bareUrl } });
    stops.push(bare.stop);
    const orders = await startServiceProcess('orders', ordersEntry, {
      env: { DATABASE_URL: ordersUrl, NATS_URL: nats.url, JWT_KEY },
    });
    stops.push(orders.stop);
    await sql(
      ordersUrl,
      `insert into tickets (id, title, price, currency, user_id)
       select gen_random_uuid(), 'Bench ticket ' || n, 2500, 'usd', 'seller' from generate_series(1, ${TICKETS}) n`,
    );
    const ticketIds = (await sql<{ id: string }>(ordersUrl, 'select id from tickets')).map((row) => row.id);
    const authorization = `Bearer ${await signToken(JWT_KEY, { sub: 'bench-buyer', expiresIn: '1h' })}`;
    const servers = { postgres: postgres.pid, nats: nats.pid as number };
    const resetStatements = async () => {
      if (STATEMENTS) await resetStatementStatistics([ordersUrl]);
    };

    const baseline = await load(
      bare,
      servers,
      authorization,
      Array.from({ length: 1000 }, () => randomUUID()),
      { beforeMeasuring: resetStatements },
    );
    const bareStatements = STATEMENTS ? await statementsOf(ordersUrl, 'bare_bench') : [];

    const ordersDb = new pg.Client({ connectionString: ordersUrl });
    await ordersDb.connect();
    const outboxDrained = () =>
      waitFor(
        async () =>
          (
            await ordersDb.query<{ unsent: boolean }>(
              `${BENCH_MARK} select exists (select 1 from outbox where sent_at is null) as unsent`,
            )
          ).rows[0]?.unsent === false,
        { timeoutMs: 120_000, intervalMs: 20, description: 'the outbox to be drained' },
      );
    const service = await load(orders, servers, authorization, ticketIds, {
      settled: outboxDrained,
      beforeMeasuring: resetStatements,
    });
    const ordersStatements = STATEMENTS ? await statementsOf(ordersUrl, 'orders_bench') : [];

    const ratio = service.requestsPerSecond / baseline.requestsPerSecond;
    const multipleOfBare = service.serviceCpuUs / baseline.serviceCpuUs;
    printFigures(
      `POST /api/orders, ${CONNECTIONS} connections, ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up` +
        (STATEMENTS ? ' (with pg_stat_statements loaded: PostgreSQL figures include its cost)' : ''),
      [
        ['bare handler runs as', howItRuns(bareEntry)],
        ['orders service runs as', howItRuns(ordersEntry)],
        ['bare express + pg INSERT (req/s)', baseline.requestsPerSecond],
        ['bare p99 (ms)', baseline.p99],
        ['  bare process CPU per request (µs)', baseline.serviceCpuUs],
        ['  PostgreSQL CPU per request (µs)', baseline.databaseCpuUs],
        ['orders service (req/s)', service.requestsPerSecond],
        ['orders p50 (ms)', service.p50],
        ['orders p99 (ms)', service.p99],
        ['  orders process CPU per request (µs)', service.serviceCpuUs],
        ['  PostgreSQL CPU per request (µs)', service.databaseCpuUs],
        ['  nats-server CPU per request (µs)', service.natsCpuUs],
        ['  outbox drained after the load (ms, counted)', service.drainMs],
        ['orders non-2xx responses', service.non2xx + service.errors],
        ['ratio to bare handler', ratio],
        ...(process.env.BENCH_NODE_ARGS
          ? [['process ids (profiles)', `bare ${bare.pid}, orders ${orders.pid}`] as [string, string]]
          : []),
      ],
    );
    printFigures('Targets (issue 18)', [
      [
        `service CPU per request <= ${TARGET_SERVICE_CPU_US} µs`,
        `${verdict(service.serviceCpuUs <= TARGET_SERVICE_CPU_US)} (${Math.round(service.serviceCpuUs)} µs)`,
      ],
      [
        `  the same as a multiple: <= ${TARGET_MULTIPLE_OF_BARE}x the bare handler's`,
        `${verdict(multipleOfBare <= TARGET_MULTIPLE_OF_BARE)} (${multipleOfBare.toFixed(2)}x of ` +
          `${Math.round(baseline.serviceCpuUs)} µs)`,
      ],
      [
        `PostgreSQL CPU per request <= ${TARGET_DATABASE_CPU_US} µs`,
        `${verdict(service.databaseCpuUs <= TARGET_DATABASE_CPU_US)} (${Math.round(service.databaseCpuUs)} µs, ` +
          `${(service.databaseCpuUs / baseline.databaseCpuUs).toFixed(2)}x the bare handler's)`,
      ],
      [
        `req/s ratio to bare handler >= ${TARGET_RATIO}`,
        `${verdict(ratio >= TARGET_RATIO)} (${ratio.toFixed(3)})`,
      ],
    ]);
    if (STATEMENTS) {
      printStatements(
        'pg_stat_statements, bare handler (per request; µs are means per plan and per call)',
        bareStatements,
        { units: baseline.requests, unit: 'request', dbCpuUs: baseline.databaseCpuUs },
      );
      printStatements(
        'pg_stat_statements, orders service and its relay (per request; µs are means per plan and per call)',
        ordersStatements,
        { units: service.requests, unit: 'request', dbCpuUs: service.databaseCpuUs },
      );
      await settleTableStatistics();
      await printTableWrites(ordersUrl, { units: service.requests, unit: 'request' });

      // The same with one connection: nothing waits for a core, so the times are close to CPU time.
      const serial = await load(orders, servers, authorization, ticketIds.slice(service.used), {
        settled: outboxDrained,
        beforeMeasuring: resetStatements,
        connections: 1,
        warmupSeconds: 1,
      });
      printStatements(
        `pg_stat_statements, orders service and its relay, one connection (${Math.round(serial.requestsPerSecond)} ` +
          'req/s; the relay claims fewer events at a time)',
        await statementsOf(ordersUrl, 'orders_bench'),
        { units: serial.requests, unit: 'request', dbCpuUs: serial.databaseCpuUs },
      );
    }
    await ordersDb.end();
  } finally {
    for (const stop of stops.reverse()) await stop();
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
