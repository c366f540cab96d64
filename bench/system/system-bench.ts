/**
 * The whole system through its entry point: completed order-to-payment flows per second (reserve, pay,
 * poll until complete) with concurrent buyers, and the time from a successful POST /api/payments to
 * GET /api/orders/:id showing `complete` (payments.created crossing the bus to the orders service). The
 * services run compiled on plain node, as the images do; the entry point, the Stripe fake and the buyers
 * run in this process. The CPU each process spends per flow says where the time goes; `-- --statements`
 * adds what PostgreSQL ran per flow in each service's database (pg_stat_statements, a restart of the cluster).
 */
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { Bus, durableName } from '@ticketing/bus';
import { NatsServer, PostgresServer, waitFor } from '@ticketing/testing';
import { SERVICES, startLocalSystem } from '../../scripts/system/local-system';
import { percentile, printFigures, rate, verdict } from '../bench-report';
import { howItRuns } from '../compiled';
import { cpuDuring } from '../process-cpu';
import {
  enableStatementStatistics,
  printStatements,
  printTableWrites,
  resetStatementStatistics,
  settleTableStatistics,
  sql,
  statementsOf,
} from '../pg-statements';

const BUYERS = 16;
const SECONDS = 15;
const WARMUP_SECONDS = 3;
/** `-- --statements`: pg_stat_statements in the cluster, and the statements of a flow after the figures. */
const STATEMENTS = process.argv.includes('--statements');
const TICKETS = 20_000;
/** Issue 18's targets. */
const TARGET_FLOWS_PER_SECOND = 100;
const TARGET_P99_MS = 100;

async function createDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Where `payments.created` spends its time between the payments service's commit and the orders service's
 * handler, for every flow (p50/p99/max) and for the slowest one: committed (`outbox.created_at`, its
 * transaction's start) -> claimed by the relay (`outbox.sent_at`, the relay's transaction's start) -> on the
 * bus (a plain subscriber in this process) -> handled (the orders service's `inbox.processed_at`). One
 * machine, one clock.
 */
async function paymentCreatedJourney(
  paymentsUrl: string,
  ordersUrl: string,
  seenOnBus: Map<string, number>,
  slowestOrderId: string,
): Promise<Array<[string, string]>> {
  const sent = await sql<{ event_id: string; order_id: string; created_ms: number; sent_ms: number }>(
    paymentsUrl,
    `select event_id, (envelope::jsonb -> 'data' ->> 'orderId') as order_id,
       extract(epoch from created_at) * 1000 as created_ms, extract(epoch from sent_at) * 1000 as sent_ms
     from outbox where subject = 'payments.created' and sent_at is not null`,
  );
  const handled = new Map(
    (
      await sql<{ event_id: string; processed_ms: number }>(
        ordersUrl,
        `select event_id, extract(epoch from processed_at) * 1000 as processed_ms
         from inbox where consumer = '${durableName('orders', 'payments.created')}'`,
      )
    ).map((row) => [row.event_id, Number(row.processed_ms)]),
  );
  const journeys = sent
    .filter((row) => handled.has(row.event_id) && seenOnBus.has(row.event_id))
    .map((row) => ({
      orderId: row.order_id,
      claimed: Number(row.sent_ms) - Number(row.created_ms),
      published: (seenOnBus.get(row.event_id) as number) - Number(row.sent_ms),
      handled: (handled.get(row.event_id) as number) - (seenOnBus.get(row.event_id) as number),
    }));
  const spread = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return [0.5, 0.99, 1].map((fraction) => Math.round(percentile(sorted, fraction))).join(' / ');
  };
  const slowest = journeys.find((journey) => journey.orderId === slowestOrderId);
  return [
    [
      'payments.created, committed -> claimed by the relay, p50 / p99 / max (ms)',
      spread(journeys.map((j) => j.claimed)),
    ],
    ['  claimed -> on the bus, p50 / p99 / max (ms)', spread(journeys.map((j) => j.published))],
    ['  on the bus -> handled by orders, p50 / p99 / max (ms)', spread(journeys.map((j) => j.handled))],
    [
      "  the slowest flow's: committed -> claimed -> on the bus -> handled (ms)",
      slowest
        ? [slowest.claimed, slowest.published, slowest.handled].map(Math.round).join(', ')
        : 'not found',
    ],
  ];
}

/** A consumer's `events_handled_total` by outcome, from a service's /metrics: "handled 1200, early 3". */
async function listenerOutcomes(serviceUrl: string, consumer: string): Promise<string> {
  const metrics = await (await fetch(`${serviceUrl}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('events_handled_total{') && line.includes(`consumer="${consumer}"`))
    .map((line) => `${/outcome="([^"]*)"/.exec(line)?.[1]} ${line.split(' ').at(-1)}`)
    .join(', ');
}

/** A long list's first three and last two. */
function shortList(items: string[]): string {
  if (items.length <= 6) return items.join(', ');
  return [...items.slice(0, 3), `(${items.length - 5} more)`, ...items.slice(-2)].join(', ');
}

async function main() {
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  if (STATEMENTS) await enableStatementStatistics(postgres);
  const ordersUrl = await createDatabase(postgres.url(), 'orders');
  const paymentsUrl = await createDatabase(postgres.url(), 'payments');
  const expirationUrl = await createDatabase(postgres.url(), 'expiration');
  if (STATEMENTS) await sql(ordersUrl, 'create extension pg_stat_statements');
  const system = await startLocalSystem({
    port: 0,
    compiled: true,
    showLogs: process.env.BENCH_SHOW_LOGS === '1',
    env: {
      ORDERS_DATABASE_URL: ordersUrl,
      PAYMENTS_DATABASE_URL: paymentsUrl,
      EXPIRATION_DATABASE_URL: expirationUrl,
      NATS_URL: nats.url,
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const client = new pg.Client({ connectionString: ordersUrl });
    await client.connect();
    const tickets = (
      await client.query<{ id: string }>(
        `insert into tickets (id, title, price, currency, user_id)
         select gen_random_uuid(), 'Bench ' || n, 2500, 'usd', 'seller' from generate_series(1, ${TICKETS}) n returning id`,
      )
    ).rows.map((row) => row.id);
    await client.end();

    const headers = {
      authorization: `Bearer ${await system.developmentToken('bench-buyer')}`,
      'content-type': 'application/json',
    };
    const post = (path: string, body: object) =>
      fetch(`${system.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    let next = 0;
    /** BUYERS buyers going through flows for `seconds`, one after the other. */
    const buy = async (seconds: number) => {
      const flows = {
        completed: 0,
        polls: 0,
        paymentPosts: 0,
        paymentToComplete: [] as number[],
        /** The slowest flow's polls: when each was sent and answered (ms after the payment), and what it said. */
        slowest: { ms: 0, orderId: '', polls: [] as string[] },
      };
      const deadline = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: BUYERS }, async () => {
          while (performance.now() < deadline) {
            const order = (await (await post('/api/orders', { ticketId: tickets[next++] })).json()) as {
              id: string;
            };
            let payment: Response;
            do {
              flows.paymentPosts += 1;
              payment = await post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' });
            } while (payment.status === 404);
            if (payment.status !== 201) throw new Error(`payment answered ${payment.status}`);
            const paidAt = performance.now();
            const polls: string[] = [];
            for (;;) {
              flows.polls += 1;
              const sentAt = performance.now() - paidAt;
              const shown = (await (
                await fetch(`${system.url}/api/orders/${order.id}`, { headers })
              ).json()) as { status: string };
              polls.push(`${Math.round(sentAt)}-${Math.round(performance.now() - paidAt)}: ${shown.status}`);
              if (shown.status === 'complete') break;
              await new Promise((resolve) => setTimeout(resolve, 2));
            }
            const ms = performance.now() - paidAt;
            flows.paymentToComplete.push(ms);
            if (ms > flows.slowest.ms) flows.slowest = { ms, orderId: order.id, polls };
            flows.completed += 1;
          }
        }),
      );
      return flows;
    };
    /**
     * Waits until the Stripe fake has sent every webhook the flows caused: it sends them one at a time, so
     * under load they fall behind the flows (their work is part of a flow's cost all the same).
     */
    const webhooksSent = async () => {
      const deliveries = () => system.stripe?.webhooks.deliveries().length ?? 0;
      let last = -1;
      await waitFor(
        () => {
          const now = deliveries();
          const quiet = now === last;
          last = now;
          return quiet;
        },
        { intervalMs: 1_500, timeoutMs: 300_000, description: 'the webhooks to be sent' },
      );
    };
    // When each payments.created reaches the server: a plain subscriber sees what JetStream stores.
    const seenOnBus = new Map<string, number>();
    const observer = await Bus.connect({ url: nats.url, name: 'bench-observer' });
    observer.connection.subscribe(observer.wireSubject('payments.created'), {
      callback: (_error, msg) => {
        seenOnBus.set((msg.json() as { id: string }).id, Date.now());
      },
    });
    // Not measured: V8 compiles the hot code of each process in the first seconds.
    await buy(WARMUP_SECONDS);
    await webhooksSent();
    if (STATEMENTS) await resetStatementStatistics([ordersUrl, paymentsUrl, expirationUrl]);
    const pids = {
      ...Object.fromEntries(SERVICES.map((service) => [service, system.services[service].pid])),
      postgres: postgres.pid,
      nats: nats.pid as number,
    } as Record<(typeof SERVICES)[number] | 'postgres' | 'nats', number>;
    const webhooksBefore = system.stripe?.webhooks.deliveries().length ?? 0;
    const benchCpu = process.cpuUsage();
    const started = performance.now();
    let elapsedMs = 0;
    let webhooksDuringFlows = 0;
    const {
      result: { completed, polls, paymentPosts, paymentToComplete, slowest },
      cpuMs,
    } = await cpuDuring(pids, async () => {
      const flows = await buy(SECONDS);
      elapsedMs = performance.now() - started;
      webhooksDuringFlows = (system.stripe?.webhooks.deliveries().length ?? 0) - webhooksBefore;
      await webhooksSent();
      return flows;
    });
    const drainMs = performance.now() - started - elapsedMs;
    await observer.close();
    const webhooks = system.stripe?.webhooks.deliveries().slice(webhooksBefore) ?? [];
    const failedWebhooks = webhooks.filter(({ status }) => status === null || status < 200 || status >= 300);
    const { user, system: kernel } = process.cpuUsage(benchCpu);
    const perFlow = (ms: number) => (ms * 1000) / completed;
    const flowsPerSecond = rate(completed, elapsedMs);
    const p99 = percentile(
      paymentToComplete.sort((a, b) => a - b),
      0.99,
    );
    const cpuRows: Array<[string, number]> = [
      ...SERVICES.map((service): [string, number] => [`  ${service} service`, perFlow(cpuMs[service])]),
      ['  PostgreSQL', perFlow(cpuMs.postgres)],
      ['  nats-server', perFlow(cpuMs.nats)],
      ['  this process: buyers, entry point, Stripe fake', (user + kernel) / completed],
    ];
    const totalCpuUs = cpuRows.reduce((sum, [, us]) => sum + us, 0);
    printFigures(
      `Order -> pay -> complete through the entry point, ${BUYERS} concurrent buyers, ${SECONDS} s ` +
        `after ${WARMUP_SECONDS} s of warm-up`,
      [
        ['services run as', howItRuns('<service>/dist/index.js')],
        ['completed flows', completed],
        ['flows per second', flowsPerSecond],
        ['POST /api/payments 201 -> order complete, p50 (ms)', percentile(paymentToComplete, 0.5)],
        ['POST /api/payments 201 -> order complete, p90 (ms)', percentile(paymentToComplete, 0.9)],
        ['POST /api/payments 201 -> order complete, p99 (ms)', p99],
        ['POST /api/payments 201 -> order complete, max (ms)', paymentToComplete.at(-1) ?? Number.NaN],
        ['POST /api/payments per flow (404 until orders.created arrived)', paymentPosts / completed],
        ['GET /api/orders/:id polls per flow', polls / completed],
        ["  the slowest flow's (ms after the payment: sent-answered, status)", shortList(slowest.polls)],
        ...(await paymentCreatedJourney(paymentsUrl, ordersUrl, seenOnBus, slowest.orderId)),
        [
          "  the orders service's deliveries of it, by outcome (warm-up included)",
          await listenerOutcomes(system.services.orders.url, durableName('orders', 'payments.created')),
        ],
        ['Stripe webhook deliveries per flow (the fake sends one at a time)', webhooks.length / completed],
        ['  of them sent while the flows ran', webhooksDuringFlows / completed],
        ['  time to send the rest after the flows (s, CPU counted)', drainMs / 1000],
        [
          '  of them answered other than 2xx (retried after 0.5, 1, 2 s...)',
          `${failedWebhooks.length} (${[...new Set(failedWebhooks.map(({ status }) => status))].join(', ') || '-'})`,
        ],
        ['CPU per flow (µs)', ''],
        ...cpuRows,
        ['  all of them', totalCpuUs],
        [
          `ceiling at that cost on ${availableParallelism()} cores (flows/s)`,
          (availableParallelism() * 1e6) / totalCpuUs,
        ],
      ],
    );
    printFigures('Targets (issue 18)', [
      [
        `flows per second with ${BUYERS} buyers >= ${TARGET_FLOWS_PER_SECOND}`,
        `${verdict(flowsPerSecond >= TARGET_FLOWS_PER_SECOND)} (${flowsPerSecond.toFixed(1)})`,
      ],
      [
        `payment -> complete p99 < ${TARGET_P99_MS} ms`,
        `${verdict(p99 < TARGET_P99_MS)} (${Math.round(p99)} ms)`,
      ],
    ]);
    if (STATEMENTS) {
      const flows = { units: completed, unit: 'flow', dbCpuUs: perFlow(cpuMs.postgres) };
      for (const database of ['orders', 'payments', 'expiration']) {
        printStatements(
          `pg_stat_statements, ${database} database (per flow; µs are means per plan and per call; ` +
            "the PostgreSQL CPU compared with is the whole cluster's)",
          await statementsOf(ordersUrl, database),
          flows,
        );
      }
      await settleTableStatistics();
      for (const url of [ordersUrl, paymentsUrl, expirationUrl]) {
        await printTableWrites(url, flows);
      }
    }
  } finally {
    await system.stop();
    await Promise.all([postgres.stop(), nats.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
