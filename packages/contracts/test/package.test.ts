import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repository = join(__dirname, '..', '..');
const commonDir = join(repository, 'common');

describe('@ticketing/common as a published package', () => {
  let scratch: string;

  beforeAll(() => {
    // Inside the repository, so that the extracted package finds its dependencies in the root node_modules.
    mkdirSync(join(repository, 'node_modules', '.cache'), { recursive: true });
    scratch = mkdtempSync(join(repository, 'node_modules', '.cache', 'pack-'));
    execFileSync('npm', ['pack', '--pack-destination', scratch], { cwd: commonDir, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('packs JavaScript, type declarations and the AsyncAPI document, and an outside project can use it', () => {
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz')) as string;
    const installed = join(scratch, 'node_modules', '@ticketing', 'common');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', installed, '--strip-components=1']);
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: installed }).toString();
    expect(files).toContain('./dist/index.js');
    expect(files).toContain('./dist/index.d.ts');
    expect(files).toContain('./dist/testing/index.d.ts');
    expect(files).toContain('./events.asyncapi.json');
    expect(files).not.toMatch(/\.test\.|\/src\//);

    const consumer = join(scratch, 'subscriber.ts');
    writeFileSync(
      consumer,
      [
        "import { parseEnvelope, type EventEnvelope } from '@ticketing/contracts';",
        "const result = parseEnvelope('payments.created', process.argv[2] ?? '');",
        "const event: EventEnvelope<'payments.created'> | undefined = result.ok ? result.envelope : undefined;",
        'console.log(event ? `paid ${event.data.amount} ${event.data.currency}` : result.ok || result.reason);',
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node20',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repository, 'node_modules/@types')],
          outDir: 'out',
        },
        files: ['subscriber.ts'],
      }),
    );
    execFileSync(join(repository, 'node_modules', '.bin', 'tsc'), ['-p', scratch], { stdio: 'pipe' });
    const id = '9d7e2f3a-8c1b-4c6d-9e0f-1a2b3c4d5e6f';
    const message = JSON.stringify({
      id,
      subject: 'payments.created',
      occurredAt: new Date().toISOString(),
      data: { id, orderId: id, stripeId: 'pi_1', amount: 1999, currency: 'usd' },
    });
    const output = execFileSync('node', [join(scratch, 'out', 'subscriber.js'), message]).toString();
    expect(output.trim()).toBe('paid 1999 usd');
  });
});
