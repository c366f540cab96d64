import { acceptConnections, refuseConnections, waitFor } from '@ticketing/testing';
import type { LocalSystem, ServiceName } from '../system/local-system';
import { pause } from './chaos-client';

/** Every fault the chaos run knows how to cause. */
export const FAULT_KINDS = [
  'kill-orders',
  'kill-payments',
  'kill-expiration',
  'kill-nats',
  'stop-postgres',
  'refuse-orders-database',
  'refuse-payments-database',
  'refuse-expiration-database',
  'slow-stripe',
  'failing-stripe',
  'lost-stripe-answers',
  'messy-webhooks',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  kind: FaultKind;
  /** Milliseconds after the run's start. */
  at: number;
}

export interface FaultRecord {
  kind: FaultKind;
  startedAt: number;
  endedAt: number;
  /** While these were out, a 503 from them is expected. */
  down: ServiceName[];
}

export interface FaultTargets {
  system: LocalSystem;
  databaseUrls: Record<ServiceName, string>;
  random: () => number;
}

const ALL_SERVICES: ServiceName[] = ['orders', 'payments', 'expiration'];

/**
 * What each fault does, and for how long. Faults of one resource (a service, PostgreSQL, nats-server, the
 * Stripe fake) never overlap, since undoing one must not undo another; faults of different ones may.
 */
const FAULTS: Record<
  FaultKind,
  { resource: string; down: ServiceName[]; cause(targets: FaultTargets): Promise<void> }
> = {
  'kill-orders': killService('orders'),
  'kill-payments': killService('payments'),
  'kill-expiration': killService('expiration'),
  'kill-nats': {
    resource: 'nats',
    down: [],
    async cause({ system }) {
      const nats = required(system.nats, 'nats-server');
      await nats.kill();
      await pause(2_000);
      await nats.restart();
    },
  },
  'stop-postgres': {
    resource: 'postgres',
    down: ALL_SERVICES,
    async cause({ system }) {
      const postgres = required(system.postgres, 'PostgreSQL');
      await postgres.stopImmediately();
      await pause(3_000);
      await postgres.restart();
    },
  },
  'refuse-orders-database': refuseDatabase('orders'),
  'refuse-payments-database': refuseDatabase('payments'),
  'refuse-expiration-database': refuseDatabase('expiration'),
  'slow-stripe': stripeFault(async (stripe) => {
    stripe.setLatency(1_500);
    await pause(10_000);
    stripe.setLatency(0);
  }),
  'failing-stripe': stripeFault(async (stripe, random) => {
    stripe.setFailures({ mode: 'error', rate: 0.3, seed: Math.floor(random() * 0xffff_ffff) });
    await pause(10_000);
    stripe.setFailures({ mode: 'none' });
  }),
  'lost-stripe-answers': stripeFault(async (stripe, random) => {
    stripe.setFailures({ mode: 'drop', rate: 0.3, seed: Math.floor(random() * 0xffff_ffff) });
    await pause(10_000);
    stripe.setFailures({ mode: 'none' });
  }),
  'messy-webhooks': stripeFault(async (stripe) => {
    stripe.webhooks.configure({ duplicate: true, outOfOrder: true });
    await pause(20_000);
    stripe.webhooks.configure({ duplicate: false, outOfOrder: false });
  }),
};

function killService(service: ServiceName) {
  return {
    resource: service,
    down: [service],
    async cause({ system }: FaultTargets) {
      const process = system.services[service];
      const restarts = process.restarts;
      process.kill('SIGKILL');
      await waitFor(() => process.restarts > restarts, { description: `${service} to be restarted` });
      await process.waitUntilReady();
    },
  };
}

function refuseDatabase(service: ServiceName) {
  return {
    resource: 'postgres',
    down: [service],
    async cause({ databaseUrls }: FaultTargets) {
      await refuseConnections(databaseUrls[service]);
      await pause(8_000);
      await acceptConnections(databaseUrls[service]);
    },
  };
}

function stripeFault(
  cause: (stripe: NonNullable<LocalSystem['stripe']>, random: () => number) => Promise<void>,
) {
  return {
    resource: 'stripe',
    down: [] as ServiceName[],
    async cause({ system, random }: FaultTargets) {
      await cause(required(system.stripe, 'the Stripe fake'), random);
    },
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the chaos run needs ${what} of its own`);
  return value;
}

/** Spreads `faults` over the first `spanMs` of a run, at seeded random times. */
export function scheduleFaults(faults: FaultKind[], spanMs: number, random: () => number): ScheduledFault[] {
  return faults
    .map((kind) => ({ kind, at: Math.round(spanMs * (0.05 + 0.9 * random())) }))
    .sort((a, b) => a.at - b.at);
}

/**
 * Causes the scheduled faults, each at its time or once the previous fault of its resource is over,
 * and records when each was in effect.
 */
export async function injectFaults(
  schedule: ScheduledFault[],
  targets: FaultTargets,
  startedAt: number,
  log: (line: string) => void,
): Promise<FaultRecord[]> {
  const busyUntil = new Map<string, Promise<unknown>>();
  const records: FaultRecord[] = [];
  const runs = schedule.map((fault) => {
    const { resource, down, cause } = FAULTS[fault.kind];
    const previous = busyUntil.get(resource) ?? Promise.resolve();
    const run = previous.then(async () => {
      await pause(Math.max(0, startedAt + fault.at - Date.now()));
      const began = Date.now();
      log(`  fault ${fault.kind} at ${((began - startedAt) / 1000).toFixed(1)} s`);
      await cause(targets);
      records.push({ kind: fault.kind, startedAt: began, endedAt: Date.now(), down });
    });
    busyUntil.set(resource, run);
    return run;
  });
  await Promise.all(runs);
  return records.sort((a, b) => a.startedAt - b.startedAt);
}
