/**
 * `npm run fuzz`: the API fuzzed on a system of its own (its own PostgreSQL and nats-server), at length.
 * Options (all optional): `--runs 20000 --seed 7 --batch 50 --logs warn` (the services' logs);
 * `--path 123` replays one request of the seed's run; `--lenient-parser` forgives the HTTP parser's bare
 * 400s (a control character in a header), which the entry point otherwise answers as JSON;
 * `--cut-unread-bodies` cuts bodies the services do not read to 60 KB, as the jest run does (larger ones
 * race the entry point: see `largeUnparsedBodies`).
 * Prints the requests sent, the statuses seen and every distinct failure with its seed and path; exits 1
 * when there is any.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFuzzReport, runFuzz } from '../test/fuzz/api-fuzzer';
import { startLocalSystem } from './system/local-system';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string', default: String(1 + (Date.now() % 1_000_000)) },
    path: { type: 'string' },
    batch: { type: 'string', default: '50' },
    logs: { type: 'string' },
    'lenient-parser': { type: 'boolean', default: false },
    'cut-unread-bodies': { type: 'boolean', default: false },
  },
});

function positive(name: 'runs' | 'seed' | 'batch'): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'ticketing-fuzz-'));
  try {
    // PostgreSQL runs as its own user when this runs as root: the directory must be reachable for it.
    chmodSync(dataDir, 0o755);
    const system = await startLocalSystem({
      dataDir,
      port: 0,
      env: { LOG_LEVEL: values.logs ?? 'fatal' },
      showLogs: values.logs !== undefined,
      log: (line) => console.log(line),
    });
    try {
      const report = await runFuzz({
        url: system.url,
        jwtKey: system.jwtKey,
        runs: positive('runs'),
        seed: positive('seed'),
        batchSize: positive('batch'),
        ...(values.path !== undefined && { path: values.path }),
        strictParser: !values['lenient-parser'],
        largeUnparsedBodies: !values['cut-unread-bodies'],
        log: (line) => console.log(line),
      });
      for (const line of describeFuzzReport(report)) console.log(line);
      return report.failures.length === 0 ? 0 : 1;
    } finally {
      await system.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
