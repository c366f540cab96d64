/** What both tiers share: TypeScript through ts-jest, and the workspace packages mapped to their sources. */
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/orders',
    '<rootDir>/payments',
    '<rootDir>/expiration',
    '<rootDir>/tools',
    '<rootDir>/client',
    '<rootDir>/test',
  ],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  // jose ships only ES modules; jest runs CommonJS, so it is transpiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper: {
    '^@ticketing/(contracts|bus|service|testing)$': '<rootDir>/packages/$1/src/index.ts',
    '^@ticketing/stripe-fake$': '<rootDir>/tools/stripe-fake/src/index.ts',
  },
};

/**
 * One jest run for the whole repository, in two tiers. `unit` (`*.unit.test.ts`): pure logic, no servers,
 * seconds (`npm test -- --selectProjects unit`). `integration` (every other test): its global setup starts
 * one PostgreSQL cluster and one nats-server from the system binaries, and each test file takes a fresh
 * database and bus namespace on them.
 * @type {import('jest').Config}
 */
module.exports = {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.unit.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
      globalSetup: '<rootDir>/packages/testing/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testing/src/jest-global-teardown.ts',
    },
  ],
};
