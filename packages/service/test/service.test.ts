import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { ConfigError, signToken, startService } from '@ticketing/service';
import { createTestInfrastructure, freePort, waitFor, type TestInfrastructure } from '@ticketing/testing';
import { exampleService } from './fixtures/example-service';

const JWT_KEY = 'service-test-key-0123456789';
const tsx = join(__dirname, '../../../node_modules/.bin/tsx');
const entryPoint = join(__dirname, 'fixtures/example-service.ts');

function runEntryPoint(env: Record<string, string>) {
  const child = spawn(tsx, [entryPoint], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('service bootstrap', () => {
  let infra: TestInfrastructure;
  let env: Record<string, string>;

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    env = {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: infra.namespace,
      JWT_KEY,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await infra.dispose();
  });

  it('refuses to start without JWT_KEY, naming it', async () => {
    const { JWT_KEY: _omitted, ...withoutKey } = env;
    const attempt = startService(exampleService, withoutKey);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(startService(exampleService, withoutKey)).rejects.toThrow(/JWT_KEY/);
  });

  it('names every bad variable without echoing its value', async () => {
    const attempt = startService(exampleService, {
      ...env,
      DATABASE_URL: 'mysql://secret-password@db',
      PORT: 'eighty',
    });
    await expect(attempt).rejects.toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    await expect(startService(exampleService, { ...env, PORT: 'eighty' })).rejects.toThrow(/PORT/);
    await expect(
      startService(exampleService, { ...env, DATABASE_URL: 'mysql://secret-password@db' }),
    ).rejects.not.toThrow(/secret-password/);
  });

  it('as a process: exits 1 with a message naming the missing variable', async () => {
    const { JWT_KEY: _omitted, ...withoutKey } = env;
    const run = runEntryPoint(withoutKey);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/JWT_KEY is required/);
  });

  it('runs migrations, serves, publishes through the outbox, consumes, and stops gracefully', async () => {
    // Two replicas at once: migrations run once under the advisory lock, and both serve.
    const [first, second] = await Promise.all([
      startService(exampleService, env),
      startService(exampleService, env),
    ]);
    const token = await signToken(JWT_KEY, { sub: 'alice' });
    const created = await request(first.url)
      .post('/api/notes')
      .set('Authorization', `Bearer ${token}`)
      .expect(201);
    const notes = await waitFor(async () => {
      const response = await request(second.url).get('/api/notes').expect(200);
      return response.body.length > 0 && response.body;
    });
    expect(notes).toEqual([expect.objectContaining({ text: `expired ${created.body.orderId}` })]);
    await request(first.url).get('/readyz').expect(200);
    await Promise.all([first.stop(), second.stop()]);
    await expect(request(first.url).get('/livez')).rejects.toThrow();
  });

  it('as a process: stops on SIGTERM and exits 0', async () => {
    const port = await freePort();
    const run = runEntryPoint({ ...env, PORT: String(port) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
      timeoutMs: 20_000,
    });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
