import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestInfrastructure, freePort, waitFor, type TestInfrastructure } from '@ticketing/testing';
import { StripeFake } from '@ticketing/stripe-fake';
import {
  CLIENT,
  dockerfileCmd,
  find,
  render,
  ROOT,
  SERVICES,
  type ServiceName,
  type Workload,
} from './manifests';

/**
 * What the images run is `npm run build`'s output started with the Dockerfile's CMD. No Docker engine is
 * needed to check that it exists and that a service started that way becomes ready and stops cleanly.
 */
describe('the build output the images run', () => {
  let infra: TestInfrastructure;
  let stripe: StripeFake;

  let build: { status: number | null; output: string };

  beforeAll(async () => {
    // `npm run build`: incremental, a few seconds when the output is up to date. tsc -b still writes the
    // output of a project with type errors, so the start-up checks below run either way; the build's own
    // test fails with the errors.
    const result = spawnSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-b',
        'packages/contracts',
        'packages/bus',
        'packages/service',
        'orders',
        'payments',
        'expiration',
        'tools/stripe-fake',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    build = { status: result.status, output: `${result.stdout}${result.stderr}${result.error ?? ''}` };
    infra = await createTestInfrastructure();
    stripe = await StripeFake.start();
  }, 300_000);

  it('npm run build succeeds (the images run it: a failing tsc fails the image build)', () => {
    expect(build).toEqual({ status: 0, output: '' });
  });

  afterAll(async () => {
    await stripe?.stop();
    await infra?.dispose();
  });

  it.each(SERVICES)('has the file the %s image CMD runs', (service) => {
    const [command, entry] = dockerfileCmd(service);
    expect(command).toBe('node');
    expect(existsSync(join(ROOT, entry as string))).toBe(true);
  });

  async function environment(service: ServiceName): Promise<Record<string, string>> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      PORT: String(await freePort()),
      DATABASE_URL: await infra.createDatabase(),
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: infra.namespace,
      JWT_KEY: 'a-test-key-of-at-least-sixteen-characters',
      LOG_LEVEL: 'warn',
    };
    if (service === 'payments') {
      Object.assign(env, {
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        STRIPE_API_URL: stripe.url,
      });
    }
    return env;
  }

  it.each(SERVICES)(
    'starts %s with the CMD, answers its Deployment’s probes, and exits 0 on SIGTERM',
    async (service) => {
      const env = await environment(service);
      const url = `http://127.0.0.1:${env.PORT}`;
      const child: ChildProcess = spawn(process.execPath, dockerfileCmd(service).slice(1), {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        await waitFor(
          async () => {
            if (child.exitCode !== null) throw new Error(`${service} exited ${child.exitCode}:\n${output}`);
            const response = await fetch(`${url}/readyz`);
            return response.status === 200;
          },
          { timeoutMs: 30_000, intervalMs: 100, description: `${service} /readyz to answer 200` },
        ).catch((error: Error) => {
          throw new Error(`${error.message}\n${output}`, { cause: error });
        });

        const container = find<Workload>(render('base'), 'Deployment', service).spec.template.spec
          .containers[0];
        for (const probe of [container?.startupProbe, container?.livenessProbe, container?.readinessProbe]) {
          const path = probe?.httpGet?.path;
          if (path) expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 200]);
        }
      } finally {
        if (child.exitCode === null) child.kill('SIGTERM');
      }
      const [code, signal] = await exited;
      expect({ code, signal, output: code === 0 ? '' : output }).toEqual({
        code: 0,
        signal: null,
        output: '',
      });
    },
    60_000,
  );
});

/**
 * The client's image runs the same two builds as its Dockerfile: the server with tsc and the static files
 * with vite build. Started with the image's CMD and the development overlay's sign-in on, it answers its
 * Deployment's probes and exits 0 on SIGTERM (within the grace period the Deployment gives it).
 */
describe('the build output the client image runs', () => {
  const builds: Array<{ step: string; status: number | null; output: string }> = [];

  beforeAll(() => {
    const steps: Array<[string, string[]]> = [
      ['npx tsc -b packages/service', [require.resolve('typescript/bin/tsc'), '-b', 'packages/service']],
      [
        'npx tsc -p client/server/tsconfig.json',
        [require.resolve('typescript/bin/tsc'), '-p', 'client/server/tsconfig.json'],
      ],
      [
        'vite build (npm run build -w client)',
        [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
      ],
    ];
    for (const [step, args] of steps) {
      const cwd = step.startsWith('vite') ? join(ROOT, CLIENT) : ROOT;
      const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
      builds.push({
        step,
        status: result.status,
        output: result.status === 0 ? '' : `${result.stdout}${result.stderr}${result.error ?? ''}`,
      });
      if (result.status !== 0) break;
    }
  }, 300_000);

  it('builds the server and the static files as client/Dockerfile does', () => {
    expect(builds.filter((build) => build.status !== 0)).toEqual([]);
    expect(existsSync(join(ROOT, CLIENT, 'dist', 'index.html'))).toBe(true);
  });

  it('has the file the client image CMD runs', () => {
    const [command, entry] = dockerfileCmd(CLIENT);
    expect(command).toBe('node');
    expect(existsSync(join(ROOT, entry as string))).toBe(true);
  });

  it('starts the client with the CMD, answers its Deployment’s probes, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const deployment = find<Workload>(render('overlays/development'), 'Deployment', CLIENT);
    const child: ChildProcess = spawn(process.execPath, dockerfileCmd(CLIENT).slice(1), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DEVELOPMENT_SIGN_IN: 'true',
        JWT_KEY: 'a-test-key-of-at-least-sixteen-characters',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const container = deployment.spec.template.spec.containers[0];
    let stoppedAt: number;
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`the client exited ${child.exitCode}:\n${output}`);
          const response = await fetch(`${url}/healthz`).catch(() => undefined);
          return response?.status === 200;
        },
        { timeoutMs: 15_000, intervalMs: 100, description: 'the client /healthz to answer 200' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output}`, { cause: error });
      });
      for (const probe of [container?.startupProbe, container?.livenessProbe, container?.readinessProbe]) {
        const path = probe?.httpGet?.path;
        if (path) expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 200]);
      }
      const page = await fetch(`${url}/orders/1`);
      expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<div id="root">')]);
      const config = await fetch(`${url}/config.json`);
      expect(await config.json()).toMatchObject({ signIn: 'development' });
    } finally {
      stoppedAt = Date.now();
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    expect({ code, signal, output: code === 0 ? '' : output }).toEqual({ code: 0, signal: null, output: '' });
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    expect(Date.now() - stoppedAt).toBeLessThan(grace * 1000);
  }, 60_000);
});
