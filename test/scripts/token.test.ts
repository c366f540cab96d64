import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const USAGE = 'usage: npm run token -- --sub <user id> [--admin] [--expires-in 12h]';

/** `npm run token -- ...args`, run as its script runs it; without JWT_KEY, so with the development key. */
function token(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'tsconfig.json', 'scripts/token.ts', ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('npm run token', () => {
  it.concurrent.each([
    [['--bogus'], "Unknown option '--bogus'\n"],
    [['--sub'], "Option '--sub <value>' argument missing\n"],
    [['alice'], "Unexpected argument 'alice'"],
    [['--admin'], ''],
  ])('answers %j with its usage on stderr and exit code 2, not a stack trace', async (args, reason) => {
    const { status, stdout, stderr } = await token(...args);
    expect({ status, stdout }).toEqual({ status: 2, stdout: '' });
    expect(stderr).toContain(reason);
    expect(stderr.trimEnd().endsWith(USAGE)).toBe(true);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it.concurrent('prints its usage for --help, and exits 0', async () => {
    expect(await token('--help')).toEqual({ status: 0, stdout: `${USAGE}\n`, stderr: '' });
  });

  it.concurrent('prints a token for --sub', async () => {
    const { status, stdout } = await token('--sub', 'alice', '--admin');
    expect(status).toBe(0);
    const payload = JSON.parse(Buffer.from(stdout.split('.')[1] ?? '', 'base64url').toString());
    expect(payload).toMatchObject({ sub: 'alice', roles: ['admin'] });
  });
});
