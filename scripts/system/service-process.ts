import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from '@ticketing/testing';
import PinoPretty from 'pino-pretty';
import { SupervisedProcess } from './supervised-process';

const repository = join(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;

/** The shared packages, in build order: every service's compiled output needs theirs. */
const SHARED_PACKAGES = ['packages/contracts', 'packages/bus', 'packages/service'];

/**
 * Compiles the shared packages and `workspaces` (e.g. `orders`) as the images do (`tsc -b`, incremental:
 * about a second when nothing changed), so that `<workspace>/dist/index.js` runs on plain node.
 */
export function buildServices(workspaces: readonly string[]): void {
  execFileSync(join(repository, 'node_modules/.bin/tsc'), ['-b', ...SHARED_PACKAGES, ...workspaces], {
    cwd: repository,
    stdio: 'inherit',
  });
}

export interface ServiceProcess {
  name: string;
  /** Stays the same across restarts: the port is chosen once. */
  url: string;
  /** The latest run's process id (while a restart is pending, the one that exited). */
  readonly pid: number;
  /** How many times the supervisor has restarted it. */
  readonly restarts: number;
  /** Signals the running process, SIGKILL by default; the supervisor restarts it. */
  kill(signal?: NodeJS.Signals): void;
  waitUntilReady(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  /** Environment of the service besides PATH and PORT. */
  env: Record<string, string>;
  /** Pretty-print its JSON logs with its name, instead of discarding them. */
  showLogs?: boolean;
  /** Flags for node itself, e.g. the heap limits a service is deployed with. */
  nodeArgs?: string[];
  readyPath?: string;
  /** Where the supervisor tells of exits and restarts; the console by default. */
  log?: (line: string) => void;
}

/**
 * Runs an entry point in a process of its own on a free port, waits until `readyPath` answers 200, then
 * restarts it whenever it exits. BENCH_NODE_ARGS, e.g. "--cpu-prof", looks inside it under load.
 */
export async function startServiceProcess(
  name: string,
  entryPoint: string,
  { env, showLogs = false, readyPath = '/readyz', nodeArgs = [], log }: ServiceProcessOptions,
): Promise<ServiceProcess> {
  const port = await freePort();
  const extraNodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // Compiled JavaScript runs on plain node with NODE_ENV=production, as in the images; TypeScript through
  // tsx, as `npm start` does.
  const compiled = !entryPoint.endsWith('.ts');
  const loader = compiled ? [] : ['--import', 'tsx'];
  const supervised = new SupervisedProcess(
    name,
    () => {
      const child = spawn(
        process.execPath,
        [...nodeArgs, ...extraNodeArgs, ...loader, join(repository, entryPoint)],
        {
          env: {
            PATH: process.env.PATH ?? '',
            TSX_TSCONFIG_PATH: join(repository, 'tsconfig.json'),
            LOG_LEVEL: 'warn',
            ...(compiled ? { NODE_ENV: 'production' } : {}),
            ...env,
            PORT: String(port),
          },
          stdio: ['ignore', showLogs ? 'pipe' : 'ignore', 'inherit'],
        },
      );
      child.stdout?.pipe(
        PinoPretty({
          colorize: true,
          translateTime: 'HH:MM:ss.l',
          ignore: 'pid,hostname,service,name',
          messageFormat: `[${name}] {msg}`,
        }),
      );
      return child;
    },
    log,
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => (await fetch(`${url}${readyPath}`)).status === 200;
  try {
    await waitFor(async () => supervised.exit !== undefined || (await ready()), {
      timeoutMs: READY_TIMEOUT_MS,
      description: `${name} to be ready`,
    });
    if (supervised.exit) throw new Error(`${name} exited (${supervised.exit}) while starting`);
  } catch (error) {
    await supervised.stop();
    throw error;
  }
  supervised.supervise();
  return {
    name,
    url,
    get pid() {
      return supervised.pid as number;
    },
    get restarts() {
      return supervised.restarts;
    },
    kill: (signal) => supervised.kill(signal),
    async waitUntilReady() {
      await waitFor(ready, { timeoutMs: READY_TIMEOUT_MS, description: `${name} to be ready` });
    },
    stop: () => supervised.stop(),
  };
}
