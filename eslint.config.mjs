import eslint from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
  // The architecture's seams: services never import each other, and the shared library imports no service.
  ...[
    ['orders', ['payments', 'expiration', 'client']],
    ['payments', ['orders', 'expiration', 'client']],
    ['expiration', ['orders', 'payments', 'client']],
    ['common', ['orders', 'payments', 'expiration', 'client', 'scripts']],
  ].map(([workspace, forbidden]) => ({
    files: [`${workspace}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // A relative path that climbs out into the other workspace, or its package name.
          patterns: forbidden.map((other) => ({
            regex: `^((\\.\\./)+${other}(/|$)|@ticketing/${other}$)`,
            message: `${workspace} must not import from ${other}: they talk through events and the public API only.`,
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
