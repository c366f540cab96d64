/**
 * One jest run for the whole repository. The global setup starts one PostgreSQL cluster and one
 * nats-server from the system binaries; each test file takes a fresh database and bus namespace on them.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/common',
    '<rootDir>/orders',
    '<rootDir>/payments',
    '<rootDir>/expiration',
    '<rootDir>/tools',
    '<rootDir>/test',
  ],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  // jose ships only ES modules; jest runs CommonJS, so it is transpiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper: {
    '^@ticketing/common$': '<rootDir>/common/src/index.ts',
    '^@ticketing/common/testing$': '<rootDir>/common/src/testing/index.ts',
    '^@ticketing/stripe-fake$': '<rootDir>/tools/stripe-fake/src/index.ts',
  },
  globalSetup: '<rootDir>/common/src/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/common/src/testing/jest-global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
