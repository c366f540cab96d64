// `npm test`: everything CI checks. With arguments (`npm test -- outbox`), only the matching jest tests;
// `npm test -- --selectProjects unit` is the pure tier, which needs no server and so installs none.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, ensureSystemPackages } from './prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jestArgs = process.argv.slice(2);

/** The jest projects the arguments select (`--selectProjects a b`, `--selectProjects=a`), or all of them. */
function selectedProjects(args) {
  const at = args.findIndex((arg) => arg === '--selectProjects' || arg.startsWith('--selectProjects='));
  if (at < 0) return ['unit', 'integration'];
  if (args[at].includes('=')) return [args[at].split('=')[1]];
  const rest = args.slice(at + 1);
  const end = rest.findIndex((arg) => arg.startsWith('-'));
  return end < 0 ? rest : rest.slice(0, end);
}
const unitTierOnly = selectedProjects(jestArgs).every((project) => project === 'unit');

ensureNodeModules(root);
if (!unitTierOnly) ensureSystemPackages({ forTests: true });

const steps = jestArgs.length > 0 ? [] : [['lint'], ['typecheck']];
for (const step of steps) {
  console.log(`\n> npm run ${step.join(' ')}`);
  const result = spawnSync('npm', ['run', '--silent', ...step], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log('\n> jest');
const result = spawnSync(join(root, 'node_modules', '.bin', 'jest'), jestArgs, {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
