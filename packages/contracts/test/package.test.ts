import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subjects } from '@ticketing/contracts';
import { npm, packWorkspaces } from '../../../test/examples/npm-pack';

const repository = join(__dirname, '..', '..', '..');
const packageDir = join(__dirname, '..');
/** A real payments.created body, byte for byte as the payments service published it: see fixtures/README.md. */
const recordedMessage = join(__dirname, 'fixtures', 'payments.created.msg');

/** The names of every package installed in `project`, at any depth. */
async function installedPackages(project: string): Promise<string[]> {
  type Tree = { dependencies?: Record<string, Tree> };
  const names = new Set<string>();
  const walk = (tree: Tree) => {
    for (const [name, child] of Object.entries(tree.dependencies ?? {})) {
      names.add(name);
      walk(child);
    }
  };
  walk(JSON.parse(await npm(['ls', '--all', '--json'], project)));
  return [...names].sort();
}

describe('@ticketing/contracts as a published package', () => {
  let scratch: string;
  let tarball: string;
  let project: string;

  beforeAll(async () => {
    // Outside the repository, so that nothing resolves from its node_modules: only what the install brought.
    scratch = mkdtempSync(join(tmpdir(), 'ticketing-contracts-'));
    tarball = (await packWorkspaces(['@ticketing/contracts'], scratch))['@ticketing/contracts'] as string;
    project = join(scratch, 'consumer');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'contracts-consumer', version: '0.0.0', private: true }),
    );
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
  }, 180_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('packs the compiled code, its type declarations, the AsyncAPI document and a JSON Schema per subject', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/event-envelope.js',
        'dist/event-envelope.d.ts',
        'events.asyncapi.json',
        ...subjects.map((subject) => `schemas/${subject}.json`),
        ...(existsSync(join(packageDir, 'CHANGELOG.md')) ? ['CHANGELOG.md'] : []),
      ]),
    );
    expect(files.filter((file) => /^(src|test|scripts)\/|\.test\.|tsconfig/.test(file))).toEqual([]);
  });

  it('installs into an empty project with zod as its only dependency', async () => {
    expect(await installedPackages(project)).toEqual(['@ticketing/contracts', 'zod']);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages).sort()).toEqual([
      '',
      'node_modules/@ticketing/contracts',
      'node_modules/zod',
    ]);
    expect(lock.packages['node_modules/@ticketing/contracts'].resolved).toMatch(/^file:/);
  });

  describe('a script in that project, compiled against the installed types', () => {
    const run = (messageFile: string) =>
      spawnSync(process.execPath, [join(project, 'out', 'receive.js'), messageFile], {
        cwd: project,
        encoding: 'utf8',
      });

    beforeAll(() => {
      writeFileSync(
        join(project, 'receive.ts'),
        [
          "import { readFileSync } from 'node:fs';",
          "import { parseEnvelope, type EventEnvelope } from '@ticketing/contracts';",
          '',
          '// The bytes as they came off the bus: parseEnvelope checks the envelope and the payload.',
          "const result = parseEnvelope('payments.created', readFileSync(process.argv[2] ?? ''));",
          'if (!result.ok) {',
          '  console.log(`refused ${result.id ?? "a message"}: ${result.reason}`);',
          '  process.exit(1);',
          '}',
          "const event: EventEnvelope<'payments.created'> = result.envelope;",
          'const { orderId, amount, currency } = event.data;',
          'console.log(`${event.subject} ${event.id}: order ${orderId} paid ${amount} ${currency}`);',
          '',
          '// The JSON Schema of the same message ships with the package, for tools in other languages.',
          "const schemaFile = require.resolve('@ticketing/contracts/schemas/payments.created.json');",
          "console.log(`schema: ${JSON.parse(readFileSync(schemaFile, 'utf8')).title}`);",
        ].join('\n'),
      );
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'node20',
            strict: true,
            // The package's declarations are compiled too: they must hold up on their own.
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(repository, 'node_modules', '@types')],
            outDir: 'out',
          },
          files: ['receive.ts'],
        }),
      );
      try {
        execFileSync(join(repository, 'node_modules', '.bin', 'tsc'), ['-p', project], { stdio: 'pipe' });
      } catch (error) {
        throw new Error(`It does not compile:\n${(error as { stdout?: Buffer }).stdout}`, { cause: error });
      }
    }, 60_000);

    it('parses the recorded payments.created message', () => {
      const recorded = JSON.parse(readFileSync(recordedMessage, 'utf8'));
      const result = run(recordedMessage);
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n')).toEqual([
        `payments.created ${recorded.id}: order ${recorded.data.orderId} paid ${recorded.data.amount} ${recorded.data.currency}`,
        'schema: payments.created',
        '',
      ]);
      expect(result.status).toBe(0);
    });

    it('refuses a tampered copy of it, saying why', () => {
      const recorded = readFileSync(recordedMessage, 'utf8');
      const tampered = join(project, 'tampered.msg');
      // A fractional amount: money is integer minor units.
      writeFileSync(tampered, recorded.replace(/"amount":(\d+)/, '"amount":$1.5'));
      const result = run(tampered);
      expect(result.stdout.trim()).toMatch(
        new RegExp(`^refused ${JSON.parse(recorded).id}: invalid payments.created payload: amount: .*int`),
      );
      expect(result.status).toBe(1);
    });
  });
});
