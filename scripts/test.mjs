// `npm test`: everything CI checks. With arguments (`npm test -- outbox`), only the matching jest tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, ensureSystemPackages } from './prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jestArgs = process.argv.slice(2);

ensureNodeModules(root);
ensureSystemPackages({ forTests: true });

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
