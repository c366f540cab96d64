/**
 * `npm run chaos`: the whole system under faults, then every invariant checked. Options (all optional):
 * `--flows 600 --duration 300 --seed 1 --window 30 --converge 60 --logs warn` (the services' logs)
 * `--faults kill-nats,slow-stripe` (only these, once each). Exits 1 when an invariant does not hold.
 */
import { parseArgs } from 'node:util';
import { describeReport, FULL_FAULTS, runChaos } from './chaos-run';
import { FAULT_KINDS, type FaultKind } from './faults';

/** `--faults kill-nats,slow-stripe`: only these, once each; all of them by default. */
function faults(): FaultKind[] {
  if (values.faults === undefined) return FULL_FAULTS;
  const chosen = values.faults.split(',').filter(Boolean);
  const unknown = chosen.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0)
    throw new Error(`unknown faults ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
  return chosen as FaultKind[];
}

const { values } = parseArgs({
  options: {
    flows: { type: 'string', default: '600' },
    duration: { type: 'string', default: '300' },
    seed: { type: 'string', default: String(1 + (Date.now() % 100_000)) },
    window: { type: 'string', default: '30' },
    converge: { type: 'string', default: '90' },
    logs: { type: 'string' },
    faults: { type: 'string' },
  },
});

function positive(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

async function main() {
  const report = await runChaos({
    flows: positive('flows'),
    durationSeconds: positive('duration'),
    seed: positive('seed'),
    expirationWindowSeconds: positive('window'),
    convergeTimeoutSeconds: positive('converge'),
    faults: faults(),
    serviceLogLevel: values.logs,
    log: (line) => console.log(line),
  });
  for (const line of describeReport(report)) console.log(line);
  process.exit(report.passed ? 0 : 1);
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
