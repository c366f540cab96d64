import {
  ConfigError,
  defineServiceConfig,
  loadConfig,
  migrationConfig,
  serviceConfig,
} from '@ticketing/service';
import { z } from 'zod';

const minimal = {
  DATABASE_URL: 'postgres://ticketing@db:5432/orders',
  NATS_URL: 'nats://nats:4222',
  JWT_KEY: 'a-key-of-sixteen-chars',
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('a service configuration', () => {
  it('takes the minimal environment and fills in every default', () => {
    const config = loadConfig(serviceConfig, minimal);
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_POOL_SIZE: 10,
      NATS_NAMESPACE: '',
      NATS_STREAM_REPLICAS: 1,
      LOG_LEVEL: 'info',
      STARTUP_DEPENDENCY_TIMEOUT_SECONDS: 0,
      MIGRATIONS: 'startup',
      MAINTENANCE_SCHEDULE: '*/10 * * * *',
    });
  });

  it('reads numbers from their text, and a cluster as comma-separated URLs', () => {
    const config = loadConfig(serviceConfig, {
      ...minimal,
      PORT: '8080',
      NATS_URL: 'nats://a:4222,tls://b:4222',
    });
    expect(config.PORT).toBe(8080);
    expect(config.NATS_URL).toBe('nats://a:4222,tls://b:4222');
  });

  it('names every missing variable, and asks for JWT_KEY or JWKS_URL', () => {
    expect(problemsOf(() => loadConfig(serviceConfig, {}))).toEqual(
      expect.arrayContaining(['DATABASE_URL is required', 'NATS_URL is required']),
    );
    // The key is checked once the variables it depends on are sound.
    expect(problemsOf(() => loadConfig(serviceConfig, { ...minimal, JWT_KEY: undefined }))).toEqual([
      'JWT_KEY is required (or JWKS_URL, for tokens from an identity provider)',
    ]);
    expect(
      loadConfig(serviceConfig, { ...minimal, JWT_KEY: undefined, JWKS_URL: 'https://idp.example/jwks' })
        .JWKS_URL,
    ).toBe('https://idp.example/jwks');
  });

  it('names each bad variable with what it must be, and never repeats a value', () => {
    const problems = problemsOf(() =>
      loadConfig(serviceConfig, {
        ...minimal,
        DATABASE_URL: 'mysql://root:hunter2@db/orders',
        PORT: 'eighty',
        NATS_URL: 'http://nats:4222',
        JWT_KEY: 'short',
        MAINTENANCE_SCHEDULE: 'every ten minutes',
        MIGRATIONS: 'sometimes',
      }),
    );
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'PORT',
        'NATS_URL',
        'JWT_KEY',
        'MAINTENANCE_SCHEDULE',
        'MIGRATIONS',
      ]),
    );
    expect(problems).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(problems.join('\n')).not.toMatch(/hunter2|short|eighty/);
  });

  it('for `migrate`, needs the database and nothing else', () => {
    expect(loadConfig(migrationConfig, { DATABASE_URL: minimal.DATABASE_URL })).toEqual({
      DATABASE_URL: minimal.DATABASE_URL,
      LOG_LEVEL: 'info',
      STARTUP_DEPENDENCY_TIMEOUT_SECONDS: 0,
    });
  });

  it("adds a service's own variables to the common ones", () => {
    const withRate = defineServiceConfig({ RATE: z.coerce.number().int().positive() });
    expect(loadConfig(withRate, { ...minimal, RATE: '5' }).RATE).toBe(5);
    expect(problemsOf(() => loadConfig(withRate, minimal))).toEqual(['RATE is required']);
  });
});
