import eslint from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** The deployable workspaces, which share the packages/ layers and never import each other. */
const SERVICES = ['orders', 'payments', 'expiration', 'client'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'skip', message: 'Tests are never skipped.' },
        { object: 'describe', property: 'only', message: 'Focused tests do not land.' },
        { object: 'it', property: 'skip', message: 'Tests are never skipped.' },
        { object: 'it', property: 'only', message: 'Focused tests do not land.' },
        { object: 'test', property: 'skip', message: 'Tests are never skipped.' },
        { object: 'test', property: 'only', message: 'Focused tests do not land.' },
      ],
    },
  },
  // The architecture's seams. The shared packages are layers, whose code imports only the layers below it:
  // contracts < bus < service < testing (their tests use the harness). Services import the packages and
  // never each other; a service's running code does not import the test harness.
  ...[
    ['packages/contracts/src', ['bus', 'service', 'testing', ...SERVICES, 'scripts']],
    ['packages/bus/src', ['service', 'testing', ...SERVICES, 'scripts']],
    ['packages/service/src', ['testing', ...SERVICES, 'scripts']],
    ['packages/testing/src', [...SERVICES, 'scripts']],
    ...SERVICES.flatMap((service) => {
      const others = SERVICES.filter((other) => other !== service);
      const running = service === 'client' ? ['client/src', 'client/server/src'] : [`${service}/src`];
      return [[service, others, running], ...running.map((folder) => [folder, [...others, 'testing']])];
    }),
  ].map(([workspace, forbidden, ignores = []]) => ({
    files: [`${workspace}/**/*.{ts,tsx}`],
    ignores: ignores.map((folder) => `${folder}/**`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // A relative path that climbs out into the other workspace, or its package name.
          patterns: forbidden.map((other) => ({
            regex: `^((\\.\\./)+(packages/)?${other}(/|$)|@ticketing/${other}(/|$))`,
            message: `${workspace} must not import from ${other}: ${
              [...SERVICES, 'scripts'].includes(other)
                ? 'services talk through events and the public API only.'
                : 'a layer imports only the layers below it (contracts < bus < service < testing).'
            }`,
          })),
        },
      ],
    },
  })),
  {
    // The web client: the rules of hooks, which decide whether a React component is correct.
    files: ['client/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
