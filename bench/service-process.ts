import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from '@ticketing/common/testing';

const repository = join(__dirname, '..');

/** Runs a TypeScript entry point in its own process, on a free port, and waits until `readyPath` answers 200. */
export async function startProcess(entryPoint: string, env: Record<string, string>, readyPath = '/readyz') {
  const port = await freePort();
  // BENCH_NODE_ARGS, e.g. "--cpu-prof", to look inside a process under load.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(repository, entryPoint)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: join(repository, 'tsconfig.json'),
        LOG_LEVEL: 'warn',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}${readyPath}`)).status === 200, {
    timeoutMs: 60_000,
    description: entryPoint,
  });
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, stop };
}
