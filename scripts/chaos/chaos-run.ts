import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@ticketing/stripe-fake';
import { startLocalSystem, SERVICES, type ServiceName } from '../system/local-system';
import { pause, type Exchange } from './chaos-client';
import { FAULT_KINDS, injectFaults, scheduleFaults, type FaultKind, type FaultRecord } from './faults';
import { FLOW_KINDS, runFlow, type FlowContext, type FlowKind, type FlowRecord } from './flows';
import { checkInvariants, type InvariantResult } from './invariants';

export interface ChaosOptions {
  /** Order flows to run, of every kind in turn. */
  flows: number;
  /** Over how long the flows are started; the faults fall within it. */
  durationSeconds: number;
  seed: number;
  /** The faults to cause, once per entry. */
  faults: FaultKind[];
  /** The orders' payment window. */
  expirationWindowSeconds: number;
  /** How long the system may take to settle after the last fault and flow before the run fails. */
  convergeTimeoutSeconds: number;
  log?: (line: string) => void;
  /** The services' own logs, at this level, on the console. */
  serviceLogLevel?: string;
}

export interface ChaosReport {
  startedAt: number;
  invariants: InvariantResult[];
  faults: FaultRecord[];
  flows: FlowRecord[];
  /** From the end of the last fault and flow to the first moment every invariant held. */
  convergedAfterMs: number | null;
  passed: boolean;
}

/** Every kind of fault once: what the short run in `npm test` causes. */
export const EVERY_FAULT: FaultKind[] = [...FAULT_KINDS];

/** The run the issue describes: each service killed twice, every other fault once. */
export const FULL_FAULTS: FaultKind[] = [...FAULT_KINDS, 'kill-orders', 'kill-payments', 'kill-expiration'];

const CHECK_INTERVAL_MS = 1_000;

/**
 * Runs the whole system on its own PostgreSQL and nats-server, drives `flows` order flows of every kind
 * through its entry point while causing `faults` at seeded random times, then waits for it to settle and
 * checks every invariant from the databases, the streams and Stripe's ledger.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  // PostgreSQL runs as its own user when this runs as root: the directory must be reachable for it.
  const dataDir = mkdtempSync(join(tmpdir(), 'ticketing-chaos-'));
  chmodSync(dataDir, 0o755);
  const system = await startLocalSystem({
    dataDir,
    port: 0,
    env: {
      EXPIRATION_WINDOW_SECONDS: String(options.expirationWindowSeconds),
      PAYMENT_RECONCILE_INTERVAL_SECONDS: '2',
      LOG_LEVEL: options.serviceLogLevel ?? 'error',
    },
    showLogs: options.serviceLogLevel !== undefined,
    log,
  });
  try {
    const postgres = system.postgres;
    const natsUrl = system.nats?.url;
    if (!postgres || !natsUrl || !system.stripe) throw new Error('the chaos run starts its own servers');
    const databaseUrls = Object.fromEntries(
      SERVICES.map((service) => [service, postgres.url(service)]),
    ) as Record<ServiceName, string>;
    const exchanges: Exchange[] = [];
    const context: FlowContext = {
      url: system.url,
      stripeFakeUrl: system.stripe.url,
      token: (user) => system.developmentToken(user),
      exchanges,
      random,
      windowSeconds: options.expirationWindowSeconds,
    };

    const startedAt = Date.now();
    const spanMs = options.durationSeconds * 1000;
    log(
      `chaos: ${options.flows} flows over ${options.durationSeconds} s, ${options.faults.length} faults, seed ${options.seed}`,
    );
    const faultsDone = injectFaults(
      scheduleFaults(options.faults, spanMs, random),
      { system, databaseUrls, random },
      startedAt,
      log,
    );
    const flowRuns: Array<Promise<FlowRecord>> = [];
    for (let n = 0; n < options.flows; n++) {
      const kind = FLOW_KINDS[n % FLOW_KINDS.length] as FlowKind;
      await pause(Math.max(0, startedAt + (spanMs * n) / options.flows - Date.now()));
      flowRuns.push(runFlow(context, kind, n));
    }
    const [faults, flows] = await Promise.all([faultsDone, Promise.all(flowRuns)]);
    const settledAt = Math.max(
      ...faults.map((fault) => fault.endedAt),
      ...flows.map((flow) => flow.endedAt ?? 0),
    );
    log(`  load and faults over after ${((settledAt - startedAt) / 1000).toFixed(1)} s; checking`);

    const sources = { databaseUrls, natsUrl, stripe: system.stripe, flows, exchanges, faults };
    let invariants = await checkInvariants(sources);
    while (
      !invariants.every((invariant) => invariant.holds) &&
      Date.now() - settledAt < options.convergeTimeoutSeconds * 1000
    ) {
      await pause(CHECK_INTERVAL_MS);
      invariants = await checkInvariants(sources);
    }
    const passed = invariants.every((invariant) => invariant.holds);
    return {
      startedAt,
      invariants,
      faults,
      flows,
      convergedAfterMs: passed ? Math.max(0, Date.now() - settledAt) : null,
      passed,
    };
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The report as lines: every invariant with its figures, the faults, the flows that did not end as planned. */
export function describeReport(report: ChaosReport): string[] {
  const lines = report.invariants.map(
    (invariant) => `${invariant.holds ? 'ok  ' : 'FAIL'} ${invariant.name}: ${invariant.figures}`,
  );
  const unfinished = report.flows.filter((flow) => flow.unfinished);
  const byKind = new Map<string, number>();
  for (const flow of report.flows) byKind.set(flow.kind, (byKind.get(flow.kind) ?? 0) + 1);
  lines.push(
    `flows: ${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}; ${unfinished.length} did not end as their buyer wanted`,
    ...unfinished.slice(0, 10).map((flow) => `  ${flow.kind}: ${flow.unfinished}`),
    `faults: ${report.faults.map((fault) => `${fault.kind} ${((fault.endedAt - fault.startedAt) / 1000).toFixed(1)} s`).join(', ')}`,
    `last fault over at ${seconds(Math.max(...report.faults.map((fault) => fault.endedAt)) - report.startedAt)}, ` +
      `last flow at ${seconds(Math.max(...report.flows.map((flow) => flow.endedAt ?? 0)) - report.startedAt)}; ` +
      (report.convergedAfterMs === null
        ? 'did NOT converge'
        : `every invariant held ${seconds(report.convergedAfterMs)} after the last of them`),
  );
  return lines;
}
