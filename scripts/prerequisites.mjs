// Plain JavaScript on purpose: this runs on a fresh clone, before `npm ci` has installed TypeScript.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const onPath = (binary) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));

const hasPostgres = () =>
  onPath('initdb') ||
  (existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').some((major) =>
      existsSync(`/usr/lib/postgresql/${major}/bin/initdb`),
    ));

const hasNats = () => onPath('nats-server') || existsSync('/usr/sbin/nats-server');

/**
 * PostgreSQL and nats-server (and kubectl and Chromium, for the tests) come from the system's Debian packages:
 * installed here when we are root on a Debian-like machine, otherwise named so that the user can install them.
 */
export function ensureSystemPackages({ forTests = false } = {}) {
  const missing = [
    !hasPostgres() && 'postgresql',
    !hasNats() && 'nats-server',
    // The deployment tests render the Kubernetes overlays with `kubectl kustomize`.
    forTests && !onPath('kubectl') && 'kubernetes-client',
    // The web client's tests drive Debian's Chromium through Playwright.
    forTests && !process.env.CHROMIUM_PATH && !existsSync('/usr/bin/chromium') && 'chromium',
  ].filter(Boolean);
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && onPath('apt-get');
  if (!canInstall) {
    console.error(
      `Missing system packages: ${missing.join(', ')}. Install them with:\n  sudo apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
}

/** Installs the npm dependencies when a fresh clone has none. */
export function ensureNodeModules(root) {
  if (existsSync(join(root, 'node_modules', '.package-lock.json'))) return;
  console.log('Installing npm dependencies (npm ci)...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
