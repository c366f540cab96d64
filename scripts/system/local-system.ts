import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '@ticketing/service';
import { NatsServer, PostgresServer } from '@ticketing/testing';
import { StripeFake } from '@ticketing/stripe-fake';
import pg from 'pg';
import { clientApp } from '../../client/server/src/client-app';
import { DEVELOPMENT_JWT_KEY } from '../development-defaults';
import { startGateway } from './gateway';
import { buildServices, startServiceProcess, type ServiceProcess } from './service-process';

export const SERVICES = ['orders', 'payments', 'expiration'] as const;
const CLIENT_DIR = join(__dirname, '..', '..', 'client');
export type ServiceName = (typeof SERVICES)[number];

export interface LocalSystemOptions {
  /** Where PostgreSQL and JetStream keep their data; a temporary place when omitted (tests). */
  dataDir?: string;
  /** The entry point's port; 0 for a free one. */
  port: number;
  /** The environment: given URLs and keys are used instead of starting our own servers and fake. */
  env: Record<string, string | undefined>;
  showLogs?: boolean;
  /** Where the supervisor tells of services exiting and restarting; the console by default. */
  log?: (line: string) => void;
  /** Build the web client and serve it at `/`, with the development sign-in. */
  client?: boolean;
  /**
   * Build the services (`tsc -b`) and run their compiled output (`<service>/dist/index.js`) on plain node,
   * as the images do (the benchmarks); by default their TypeScript runs through tsx, as `npm start` does.
   */
  compiled?: boolean;
}

export interface LocalSystem {
  url: string;
  jwtKey: string;
  /** The Stripe fake, when the system runs against it. */
  stripe?: StripeFake;
  /** The services, supervised: a test may kill one and watch it come back. */
  services: Record<ServiceName, ServiceProcess>;
  /** The servers the system started itself (none when their URLs were given). */
  postgres?: PostgresServer;
  nats?: NatsServer;
  developmentToken(sub: string): Promise<string>;
  stop(): Promise<void>;
}

/** `vite build`, about a second: the client served is always the one in the working tree. */
function buildClient(): void {
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: CLIENT_DIR, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`The web client did not build:\n${result.stdout}${result.stderr}`);
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The whole system on one machine: PostgreSQL and nats-server (unless their URLs are given), the Stripe
 * fake (unless STRIPE_SECRET_KEY is set), the three services as processes, and one entry point that routes
 * like the Kubernetes ingress. Everything it started, it stops.
 */
export async function startLocalSystem({
  dataDir,
  port,
  env,
  showLogs = false,
  log,
  client = false,
  compiled = false,
}: LocalSystemOptions): Promise<LocalSystem> {
  const services: Partial<Record<ServiceName, ServiceProcess>> = {};
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    // The services first, together: each stops being supervised at once, so that none is restarted while
    // the system goes down (Ctrl-C signals them too).
    await Promise.all(Object.values(services).map((service) => service.stop()));
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    if (compiled) buildServices(SERVICES);
    const databaseUrls: Partial<Record<ServiceName, string>> = {
      orders: env.ORDERS_DATABASE_URL,
      payments: env.PAYMENTS_DATABASE_URL,
      expiration: env.EXPIRATION_DATABASE_URL,
    };
    let postgres: PostgresServer | undefined;
    if (SERVICES.some((service) => !databaseUrls[service])) {
      if (dataDir) mkdirSync(join(dataDir, 'postgres'), { recursive: true });
      const server = await PostgresServer.start({
        dataDir: dataDir && join(dataDir, 'postgres'),
        durable: Boolean(dataDir),
      });
      stops.push(() => server.stop());
      postgres = server;
      for (const service of SERVICES) databaseUrls[service] ??= await ensureDatabase(server.url(), service);
    }
    let natsUrl = env.NATS_URL;
    let nats: NatsServer | undefined;
    if (!natsUrl) {
      const server = await NatsServer.start({ storeDir: dataDir && join(dataDir, 'nats') });
      stops.push(() => server.stop());
      nats = server;
      natsUrl = server.url;
    }

    const jwtKey = env.JWT_KEY ?? DEVELOPMENT_JWT_KEY;
    let stripe: StripeFake | undefined;
    let stripeEnv: Record<string, string>;
    if (env.STRIPE_SECRET_KEY) {
      stripeEnv = {
        STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET ?? '',
      };
    } else {
      const fake = await StripeFake.start({
        webhookSecret: 'whsec_local_development',
        webhookRetryDelayMs: 500,
      });
      stripe = fake;
      stops.push(() => fake.stop());
      stripeEnv = {
        STRIPE_SECRET_KEY: 'sk_test_local_development',
        STRIPE_WEBHOOK_SECRET: 'whsec_local_development',
        STRIPE_API_URL: fake.url,
      };
    }

    const passedThrough = Object.fromEntries(
      [
        'LOG_LEVEL',
        'NATS_NAMESPACE',
        'EXPIRATION_WINDOW_SECONDS',
        'PAYMENT_ATTEMPT_HOLD_SECONDS',
        'STARTUP_DEPENDENCY_TIMEOUT_SECONDS',
        'TEST_CRASH_POINT_FILE',
        'PAYMENT_RECONCILE_AFTER_SECONDS',
        'PAYMENT_RECONCILE_INTERVAL_SECONDS',
      ]
        .filter((name) => env[name] !== undefined)
        .map((name) => [name, env[name] as string]),
    );
    for (const service of SERVICES) {
      const entryPoint = compiled ? `${service}/dist/index.js` : `${service}/src/index.ts`;
      services[service] = await startServiceProcess(service, entryPoint, {
        showLogs,
        log,
        env: {
          LOG_LEVEL: 'info',
          ...passedThrough,
          DATABASE_URL: databaseUrls[service] as string,
          NATS_URL: natsUrl,
          JWT_KEY: jwtKey,
          ...(service === 'payments' ? stripeEnv : {}),
        },
      });
    }
    const started = services as Record<ServiceName, ServiceProcess>;
    if (client) buildClient();
    const gateway = await startGateway(
      port,
      { orders: started.orders.url, payments: started.payments.url },
      client
        ? clientApp({
            staticDir: join(CLIENT_DIR, 'dist'),
            settings: {
              signIn: 'development',
              identityProviderUrl: null,
              stripePublishableKey: env.STRIPE_PUBLISHABLE_KEY ?? null,
              stripeFakeUrl: stripe?.url ?? null,
            },
            jwtKey,
          })
        : undefined,
    );
    stops.push(async () => {
      const closed = new Promise<void>((resolve) => gateway.server.close(() => resolve()));
      // Event streams never go idle: they are cut, and the browsers reconnect to whatever runs next.
      gateway.server.closeAllConnections();
      await closed;
    });
    stripe?.webhooks.configure({ url: `${gateway.url}/api/payments/webhooks/stripe` });

    return {
      url: gateway.url,
      jwtKey,
      stripe,
      services: started,
      postgres,
      nats,
      developmentToken: (sub) => signToken(jwtKey, { sub, expiresIn: '12h' }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
