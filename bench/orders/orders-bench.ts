/**
 * POST /api/orders under load (50 connections), against a bare express + pg handler doing one INSERT,
 * measured in the same run on the same machine. Every request reserves a different ticket, so each one is
 * a real reservation: ticket lock, order insert, ticket update, two outbox events, and their publishing.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { signToken } from '@ticketing/service';
import { NatsServer, PostgresServer } from '@ticketing/testing';
import { printFigures, verdict } from '../bench-report';
import { cpuDuring } from '../process-cpu';
import { runLoad, type LoadFigures } from '../http-load';
import { startServiceProcess } from '../../scripts/system/service-process';

const CONNECTIONS = 50;
const SECONDS = 10;
const TICKETS = 150_000;
const JWT_KEY = 'bench-only-jwt-key-0123456789abcdef';

async function sql(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

/** The load on one contender, and the CPU that it and the database spent per request meanwhile. */
async function load(
  contender: { url: string; pid: number },
  postgresPid: number,
  authorization: string,
  ticketIds: string[],
): Promise<LoadFigures & { serviceCpuUs: number; databaseCpuUs: number }> {
  let next = 0;
  const { result, cpuMs } = await cpuDuring({ service: contender.pid, database: postgresPid }, () =>
    runLoad({
      url: `${contender.url}/api/orders`,
      connections: CONNECTIONS,
      duration: SECONDS,
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
    }),
  );
  return {
    ...result,
    serviceCpuUs: (cpuMs.service * 1000) / result.requests,
    databaseCpuUs: (cpuMs.database * 1000) / result.requests,
  };
}

async function main() {
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  const stops: Array<() => Promise<void>> = [];
  try {
    await sql(postgres.url(), 'create database orders_bench');
    await sql(postgres.url(), 'create database bare_bench');
    const ordersUrl = postgres.url('orders_bench');
    const bareUrl = postgres.url('bare_bench');
    await sql(
      bareUrl,
      'create table bare_orders (id uuid primary key, ticket_id uuid not null, created_at timestamptz not null default now())',
    );

    const bare = await startServiceProcess('bare', 'bench/orders/bare-insert-server.ts', {
      env: { DATABASE_URL: bareUrl },
    });
    stops.push(bare.stop);
    const orders = await startServiceProcess('orders', 'orders/src/index.ts', {
      env: { DATABASE_URL: ordersUrl, NATS_URL: nats.url, JWT_KEY },
    });
    stops.push(orders.stop);
    await sql(
      ordersUrl,
      `insert into tickets (id, title, price, currency, user_id)
       select gen_random_uuid(), 'Bench ticket ' || n, 2500, 'usd', 'seller' from generate_series(1, ${TICKETS}) n`,
    );
    const client = new pg.Client({ connectionString: ordersUrl });
    await client.connect();
    const ticketIds = (await client.query<{ id: string }>('select id from tickets')).rows.map(
      (row) => row.id,
    );
    await client.end();
    const authorization = `Bearer ${await signToken(JWT_KEY, { sub: 'bench-buyer', expiresIn: '1h' })}`;

    const baseline = await load(
      bare,
      postgres.pid,
      authorization,
      Array.from({ length: 1000 }, () => randomUUID()),
    );
    const service = await load(orders, postgres.pid, authorization, ticketIds);
    const ratio = service.requestsPerSecond / baseline.requestsPerSecond;
    printFigures(`POST /api/orders, ${CONNECTIONS} connections, ${SECONDS} s each`, [
      ['bare express + pg INSERT (req/s)', baseline.requestsPerSecond],
      ['bare p99 (ms)', baseline.p99],
      ['  bare process CPU per request (µs)', baseline.serviceCpuUs],
      ['  PostgreSQL CPU per request (µs)', baseline.databaseCpuUs],
      ['orders service (req/s)', service.requestsPerSecond],
      ['orders p50 (ms)', service.p50],
      ['orders p99 (ms)', service.p99],
      ['  orders process CPU per request (µs)', service.serviceCpuUs],
      ['  PostgreSQL CPU per request (µs)', service.databaseCpuUs],
      ['orders non-2xx responses', service.non2xx],
      ['ratio to bare handler', ratio],
      ['target ratio >= 0.5', verdict(ratio >= 0.5)],
      ['target p99 < 50 ms', verdict(service.p99 < 50)],
    ]);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
