import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Thrown when a program the harness runs is not installed; names the Debian package to install, so that the
 * failure says its own fix.
 *
 * @example
 * await NatsServer.start();
 * // MissingBinaryError: nats-server was not found: install it with `apt-get install -y nats-server`
 */
export class MissingBinaryError extends Error {
  constructor(binary: string, debianPackage: string) {
    super(`${binary} was not found: install it with \`apt-get install -y ${debianPackage}\``);
    this.name = 'MissingBinaryError';
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The directory holding initdb, pg_ctl and postgres: Debian keeps them off PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const newest = readdirSync(debianRoot)
      .filter((major) => existsSync(join(debianRoot, major, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return join(debianRoot, newest, 'bin');
  }
  const initdb = onPath('initdb');
  if (initdb) return join(initdb, '..');
  throw new MissingBinaryError('initdb (PostgreSQL server)', 'postgresql');
}

export function natsServerBinary(): string {
  const binary = onPath('nats-server') ?? ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find(existsSync);
  if (!binary) throw new MissingBinaryError('nats-server', 'nats-server');
  return binary;
}
