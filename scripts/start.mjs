// `npm start`. Plain JavaScript on purpose: it runs on a fresh clone, before dependencies are installed.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, ensureSystemPackages } from './prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureNodeModules(root);
ensureSystemPackages();

const system = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/system/main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
});
// Ctrl-C reaches the system too (same process group); this process only waits for it to finish stopping.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => system.kill(signal));
system.on('exit', (code) => process.exit(code ?? 1));
