/**
 * The benchmarks measure compiled JavaScript on plain node, as the images run it: the services from their
 * `tsc -b` output (`buildServices`), and the benchmarks' own processes (a baseline, a pipeline side)
 * compiled here with the same compiler and target, so that contender and baseline run the same way.
 */
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';

export const repository = join(__dirname, '..');
/** Where the benchmarks' own processes are compiled to: `bench/x/y.ts` becomes `<BUILD_DIR>/x/y.js`. */
const BUILD_DIR = 'node_modules/.cache/bench';

/**
 * Compiles bench processes (paths relative to the repository, under bench/) to CommonJS for node, after
 * `buildServices` (they import the shared packages' compiled output), and returns each one's compiled
 * path relative to the repository.
 */
export function compileBenchProcesses(files: string[]): string[] {
  execFileSync(
    join(repository, 'node_modules/.bin/tsc'),
    [
      ...files,
      ...['--outDir', BUILD_DIR, '--rootDir', 'bench'],
      ...['--module', 'node20', '--moduleResolution', 'node16', '--target', 'es2023', '--types', 'node'],
      ...['--esModuleInterop', '--skipLibCheck', '--strict'],
    ],
    { cwd: repository, stdio: 'inherit' },
  );
  return files.map((file) => join(BUILD_DIR, relative('bench', file)).replace(/\.ts$/, '.js'));
}

/** How a process runs, for the benchmarks' output. */
export function howItRuns(entryPoint: string): string {
  return entryPoint.endsWith('.ts')
    ? `${entryPoint} through tsx`
    : `node ${entryPoint} (compiled, plain node)`;
}
