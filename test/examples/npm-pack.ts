import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@ticketing/testing';

const run = promisify(execFile);
const repository = join(__dirname, '..', '..');

/** npm as an outside project runs it: without the settings npm hands to a script run from this repository. */
export async function npm(args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_(config_local_prefix|package_|lifecycle_)/i.test(name),
    ),
  );
  return (await run('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })).stdout;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` while no other test process of this repository does: test files that pack run in parallel
 * workers, and two `prepack` builds writing the same dist/ at once could pack a half-written file.
 */
async function exclusively<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(repository, 'node_modules', '.cache', 'ticketing-pack.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  await waitFor(
    () => {
      try {
        mkdirSync(lock);
        writeFileSync(join(lock, 'pid'), String(process.pid));
        return true;
      } catch {
        // Held; or left behind by a process that was killed, which frees it.
        const holder = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }));
        if (holder && !isRunning(holder)) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    { timeoutMs: 120_000, intervalMs: 100, description: 'the other test packing the packages to finish' },
  );
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `npm pack` of workspace packages (`@ticketing/contracts`...) into `destination`, as they would be
 * published: each package's `prepack` builds its dist/ first. Returns the tarballs' paths by package name.
 */
export async function packWorkspaces(names: string[], destination: string): Promise<Record<string, string>> {
  const packed: Array<{ name: string; filename: string }> = await exclusively(async () =>
    JSON.parse(
      await npm(
        ['pack', '--json', '--pack-destination', destination, ...names.flatMap((name) => ['-w', name])],
        repository,
      ),
    ),
  );
  return Object.fromEntries(packed.map(({ name, filename }) => [name, join(destination, filename)]));
}
