import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The layers and seams are enforced by ESLint (eslint.config.mjs), which `npm test` runs first. This checks
 * the rule itself: what it refuses, and that it leaves the allowed imports alone.
 */
describe('the import rule between packages and services', () => {
  const refused: Array<[string, string]> = [
    ['packages/contracts/src/new-file.ts', '@ticketing/bus'],
    ['packages/contracts/src/new-file.ts', '../../bus/src/bus'],
    ['packages/bus/src/new-file.ts', '@ticketing/service'],
    ['packages/bus/src/outbox/new-file.ts', '../../../service/src/index'],
    ['packages/service/src/new-file.ts', '@ticketing/testing'],
    ['packages/service/src/new-file.ts', '../../../orders/src/app'],
    ['packages/testing/src/new-file.ts', '../../../payments/src/config'],
    ['orders/src/new-file.ts', '../../payments/src/config'],
    ['orders/test/new-file.ts', '../../payments/src/config'],
    ['payments/src/new-file.ts', '@ticketing/testing'],
    ['expiration/src/new-file.ts', '@ticketing/testing'],
    ['client/server/src/new-file.ts', '../../../orders/src/app'],
  ];
  const allowed: Array<[string, string]> = [
    ['packages/bus/src/new-file.ts', '@ticketing/contracts'],
    ['packages/service/src/new-file.ts', '@ticketing/bus'],
    ['packages/testing/src/new-file.ts', '@ticketing/service'],
    ['packages/bus/test/new-file.ts', '@ticketing/testing'],
    ['orders/src/new-file.ts', '@ticketing/service'],
    ['orders/test/new-file.ts', '@ticketing/testing'],
    ['scripts/system/new-file.ts', '../../client/server/src/client-app'],
  ];
  let verdicts: Record<string, string | null>;

  beforeAll(() => {
    // ESLint loads its ES module config with a dynamic import, which jest's CommonJS runtime cannot do: the
    // cases are linted in one Node process of their own.
    const lintCases = `
      import { ESLint } from 'eslint';
      const eslint = new ESLint();
      const verdicts = {};
      for (const [file, source] of JSON.parse(process.argv[1])) {
        const [result] = await eslint.lintText("import { thing } from '" + source + "';\\nexport { thing };\\n", { filePath: file });
        const refusal = result.messages.find((message) => message.ruleId === 'no-restricted-imports');
        verdicts[file + ' ' + source] = refusal ? refusal.message : null;
      }
      console.log(JSON.stringify(verdicts));`;
    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', lintCases, JSON.stringify([...refused, ...allowed])],
      { cwd: join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    verdicts = JSON.parse(output) as Record<string, string | null>;
  }, 60_000);

  it.each(refused)('refuses %s importing %s', (file, source) => {
    expect(verdicts[`${file} ${source}`]).toMatch(/must not import from/);
  });

  it.each(allowed)('allows %s importing %s', (file, source) => {
    expect(verdicts[`${file} ${source}`]).toBeNull();
  });
});
