import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Gauge } from 'prom-client';
import { sql, type Kysely } from 'kysely';
import {
  Bus,
  provisionStreams,
  createDatabase,
  ListenerRunner,
  createLogger,
  type Logger,
  createMetricsRegistry,
  sharedMetric,
  OutboxRelay,
} from '@ticketing/bus';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import { assertSchemaCurrent, migrateToLatest } from '../database/migrate';
import { NotificationHub } from '../database/notification-hub';
import { createHttpApp } from '../http/create-http-app';
import { commonRetentionSweeps } from '../maintenance/common-retention-sweeps';
import { MaintenanceScheduler } from '../maintenance/maintenance-scheduler';
import { waitForDependency, type Dependency } from './wait-for-dependency';
import type { BackgroundTask, ServiceContext, ServiceDefinition } from './service-definition';
import { answerParserRefusals } from '../http/parser-refusals';

/** A service with everything running: HTTP, the bus, the outbox relay, listeners and background tasks. */
export interface RunningService<DB extends CommonTables, Config extends ServiceConfig> extends ServiceContext<
  DB,
  Config
> {
  bus: Bus;
  server: Server;
  url: string;
  /** Graceful: stop taking requests and events, finish those in hand, flush the outbox batch, close. */
  stop(): Promise<void>;
}

/** A service whose HTTP server listens (/livez, /readyz) while the rest of it starts. */
export interface LaunchedService<
  DB extends CommonTables,
  Config extends ServiceConfig,
> extends ServiceContext<DB, Config> {
  server: Server;
  url: string;
  /** Resolves once the service serves (database reached, schema current: /readyz 200); rejects if it never will. */
  serving: Promise<void>;
  /**
   * Resolves once everything runs (the bus reached, relay and listeners started). Rejects when start-up
   * fails or gives up (STARTUP_DEPENDENCY_TIMEOUT_SECONDS), everything it started stopped by then.
   */
  started: Promise<RunningService<DB, Config>>;
  /** Graceful, at any time: a stop during start-up ends the waiting too (`started` then rejects). */
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Launches a service, never waiting for a dependency before its HTTP server listens:
 * 1. config (fails at once, naming the bad variable); the HTTP server: /livez 200, /readyz 503 saying what
 *    start-up waits for, every other route 503;
 * 2. the database: migrations applied (under an advisory lock), or with MIGRATIONS=external the schema
 *    waited for; then scheduled maintenance and background tasks, and the service serves (/readyz 200);
 * 3. the bus: connected and streams provisioned, then the outbox relay and the listeners. Meanwhile
 *    writes wait in the outbox, and /readyz reports `bus: 'down'` without failing.
 * Each dependency is retried with backoff while it is not up (docs/decisions/0015).
 *
 * @example
 * const launched = await launchService(ordersService);
 * await launched.serving; // /readyz is 200 from here on
 * const running = await launched.started; // the bus too
 * await running.stop();
 */
export async function launchService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
  env: Record<string, string | undefined> = process.env,
  logger: Logger = createLogger(definition.name, env.LOG_LEVEL),
): Promise<LaunchedService<DB, Config>> {
  const config = loadConfig(definition.config, env);
  const metrics = createMetricsRegistry(definition.name);
  const db = createDatabase<DB>({
    connectionString: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
    applicationName: definition.name,
  });
  const notifications = new NotificationHub({ connectionString: config.DATABASE_URL, logger, metrics });
  const context: ServiceContext<DB, Config> = { config, db, logger, metrics, notifications };
  // Stopped in this order, each list last started first: background work first (what it writes still goes
  // out), then the listeners, the relay (flushing its batch) and the bus, then the database.
  const taskStoppers: Array<() => Promise<void>> = [];
  const busStoppers: Array<() => Promise<void>> = [];
  const baseStoppers: Array<() => Promise<void>> = [() => db.destroy(), () => notifications.close()];
  const stopRest = async () => {
    for (const stoppers of [taskStoppers, busStoppers, baseStoppers]) {
      for (const stop of stoppers.splice(0).reverse()) await stop();
    }
  };

  let bus: Bus | undefined;
  let waitingFor: string | undefined =
    config.MIGRATIONS === 'external' ? 'schema (MIGRATIONS=external)' : 'database';
  let shuttingDown = false;
  sharedMetric(metrics, Gauge, {
    name: 'bus_connected',
    help: '1 while connected to NATS; 0 while not (events wait in the outbox)',
    collect() {
      this.set(bus?.isConnected ? 1 : 0);
    },
  });
  const app = createHttpApp({
    logger,
    metrics,
    startingUp: () => waitingFor,
    isShuttingDown: () => shuttingDown,
    readinessChecks: { database: () => sql`select 1`.execute(db) },
    statusReports: { bus: () => (bus?.isConnected ? 'up' : 'down') },
    authentication: {
      jwtKey: config.JWT_KEY,
      jwksUrl: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    },
    routes: (express) => definition.routes(express, context),
  });
  const server = createServer(app);
  answerParserRefusals(server);
  let port: number;
  try {
    port = await listen(server, config.PORT);
  } catch (error) {
    await stopRest().catch(() => undefined);
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  logger.info({ port, waitingFor }, `${definition.name} listening; starting`);

  const aborter = new AbortController();
  const signal = aborter.signal;
  const deadline =
    config.STARTUP_DEPENDENCY_TIMEOUT_SECONDS > 0
      ? Date.now() + config.STARTUP_DEPENDENCY_TIMEOUT_SECONDS * 1000
      : undefined;
  const waitFor = <T>(dependency: Dependency, connect: () => Promise<T>) =>
    waitForDependency(dependency, connect, {
      logger,
      deadline,
      signal,
      onRetry: (reason, nextAttemptInMs) => {
        if (waitingFor !== undefined) {
          waitingFor = `${dependency}: ${reason} (next attempt in ${nextAttemptInMs} ms)`;
        }
      },
    });

  let markServing: () => void = () => undefined;
  const serving = new Promise<void>((resolve) => (markServing = resolve));

  const startUp = async (): Promise<RunningService<DB, Config>> => {
    const schemaDb = db as unknown as Kysely<unknown>;
    if (config.MIGRATIONS === 'external') {
      await waitFor('schema', () => assertSchemaCurrent(schemaDb, definition.migrations));
    } else {
      const applied = await waitFor('database', () => migrateToLatest(schemaDb, definition.migrations));
      if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`);
    }
    signal.throwIfAborted();

    const maintenance = new MaintenanceScheduler({
      db,
      logger,
      metrics,
      defaultSchedule: config.MAINTENANCE_SCHEDULE,
      tasks: [...commonRetentionSweeps(db, config), ...(definition.maintenance?.(context) ?? [])],
    });
    const tasks: BackgroundTask[] = [maintenance, ...(definition.backgroundTasks?.(context) ?? [])];
    for (const task of tasks) {
      signal.throwIfAborted();
      await task.start();
      taskStoppers.push(() => task.stop());
    }
    waitingFor = undefined;
    markServing();
    logger.info(`${definition.name} serving; connecting to NATS`);

    const connected = await waitFor('nats', async () => {
      const attempt = await Bus.connect({
        url: config.NATS_URL,
        name: definition.name,
        namespace: config.NATS_NAMESPACE,
        credentials: natsCredentials(config),
      });
      try {
        await provisionStreams(attempt, { replicas: config.NATS_STREAM_REPLICAS });
      } catch (error) {
        await attempt.close();
        throw error;
      }
      return attempt;
    });
    busStoppers.push(() => connected.close());
    signal.throwIfAborted();
    bus = connected;

    const relay = new OutboxRelay({ connectionString: config.DATABASE_URL, bus, logger, metrics });
    await relay.start();
    busStoppers.push(() => relay.stop());
    const { subscriptions } = definition;
    for (const listener of typeof subscriptions === 'function' ? subscriptions(context) : subscriptions) {
      signal.throwIfAborted();
      const runner = new ListenerRunner({ service: definition.name, listener, db, bus, logger, metrics });
      await runner.start();
      busStoppers.push(() => runner.stop());
    }
    logger.info({ port }, `${definition.name} started`);
    return { ...context, bus, server, url, stop };
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      shuttingDown = true;
      aborter.abort(new Error(`${definition.name} was stopped while starting`));
      const closed = closeServer(server);
      // Open event streams would keep the server from closing: ended, their clients reconnect elsewhere.
      await notifications.close();
      await closed;
      // The start-up step in progress ends first, so that what it opens is closed too.
      await startup.catch(() => undefined);
      await stopRest();
    })();
    return stopping;
  };

  const startup = startUp();
  const started = startup.catch(async (error: unknown) => {
    await stop().catch(() => undefined);
    throw error;
  });
  // Whoever launched the service decides what a failed start means; unobserved, it is not a crash.
  started.catch(() => undefined);
  const servingOrFailed = Promise.race([serving, started.then(() => undefined)]);
  servingOrFailed.catch(() => undefined);
  return { ...context, server, url, serving: servingOrFailed, started, stop };
}

/**
 * Starts a service and resolves once all of it runs (see `launchService`); a failed start rejects, with
 * everything it had started stopped. What tests and tools use; a service's `main` is `runService`.
 *
 * @example
 * const running = await startService(ordersService, { ...process.env, PORT: '0' });
 * console.log(`orders at ${running.url}`);
 * await running.stop();
 */
export async function startService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
  env: Record<string, string | undefined> = process.env,
  logger: Logger = createLogger(definition.name, env.LOG_LEVEL),
): Promise<RunningService<DB, Config>> {
  const launched = await launchService(definition, env, logger);
  return launched.started;
}

/** The login the server wants, when the config gives one. */
function natsCredentials(config: { NATS_USER?: string; NATS_PASSWORD?: string }) {
  return config.NATS_USER && config.NATS_PASSWORD
    ? { user: config.NATS_USER, password: config.NATS_PASSWORD }
    : undefined;
}
