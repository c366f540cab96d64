import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from '@ticketing/common/testing';
import PinoPretty from 'pino-pretty';

const repository = join(__dirname, '..', '..');

export interface ServiceProcess {
  name: string;
  url: string;
  pid: number;
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
}

/**
 * Runs an entry point in a process of its own on a free port, and waits until `readyPath` answers 200. BENCH_NODE_ARGS, e.g. "--cpu-prof", looks inside it under load.
 */
export async function startServiceProcess(
  name: string,
  entryPoint: string,
  { env, showLogs = false, readyPath = '/readyz', nodeArgs = [] }: ServiceProcessOptions,
): Promise<ServiceProcess> {
  const port = await freePort();
  const extraNodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // Compiled JavaScript runs on plain node, as in the images; TypeScript through tsx, as `npm start` does.
  const loader = entryPoint.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, ...extraNodeArgs, ...loader, join(repository, entryPoint)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: join(repository, 'tsconfig.json'),
        LOG_LEVEL: 'warn',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', showLogs ? 'pipe' : 'ignore', 'inherit'],
    },
  );
  if (showLogs) {
    child.stdout?.pipe(
      PinoPretty({
        colorize: true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname,service,name',
        messageFormat: `[${name}] {msg}`,
      }),
    );
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitFor(async () => (await fetch(`${url}${readyPath}`)).status === 200, {
      timeoutMs: 60_000,
      description: `${name} to be ready`,
    }),
    exited.then((code) => {
      throw new Error(`${name} exited with code ${code} while starting`);
    }),
  ]);
  return {
    name,
    url,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
