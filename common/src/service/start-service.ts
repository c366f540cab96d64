import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { sql, type Kysely } from 'kysely';
import { Bus } from '../bus/bus';
import { provisionStreams } from '../bus/provision-streams';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import { createDatabase } from '../database/create-database';
import { migrateToLatest } from '../database/migrate';
import { NotificationHub } from '../database/notification-hub';
import { createHttpApp } from '../http/create-http-app';
import { ListenerRunner } from '../listeners/listener-runner';
import { commonRetentionSweeps } from '../maintenance/common-retention-sweeps';
import { MaintenanceScheduler } from '../maintenance/maintenance-scheduler';
import { createLogger, type Logger } from '../observability/logger';
import { waitForDependency } from './wait-for-dependency';
import { createMetricsRegistry } from '../observability/metrics';
import { OutboxRelay } from '../outbox/outbox-relay';
import type { BackgroundTask, ServiceContext, ServiceDefinition } from './service-definition';

export interface RunningService<DB extends CommonTables, Config extends ServiceConfig> extends ServiceContext<
  DB,
  Config
> {
  server: Server;
  url: string;
  /** Graceful: stop taking requests and events, finish those in hand, flush the outbox batch, close. */
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
 * Starts a service: config (fails naming the bad variable), database and migrations (under an advisory
 * lock), bus and streams (each waited for while it is not up yet), outbox relay, listeners, scheduled maintenance and background tasks, then the
 * HTTP server.
 */
export async function startService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
  env: Record<string, string | undefined> = process.env,
  logger: Logger = createLogger(definition.name, env.LOG_LEVEL),
): Promise<RunningService<DB, Config>> {
  const config = loadConfig(definition.config, env);
  const metrics = createMetricsRegistry(definition.name);
  const db = createDatabase<DB>({
    connectionString: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
    applicationName: definition.name,
  });
  const notifications = new NotificationHub({ connectionString: config.DATABASE_URL, logger, metrics });
  const stoppers: Array<() => Promise<void>> = [() => db.destroy(), () => notifications.close()];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  };
  const waiting = { logger, timeoutMs: config.STARTUP_DEPENDENCY_TIMEOUT_SECONDS * 1000 };
  try {
    await waitForDependency(
      'database',
      () => migrateToLatest(db as unknown as Kysely<unknown>, definition.migrations),
      waiting,
    );
    const bus = await waitForDependency(
      'nats',
      async () => {
        const connected = await Bus.connect({
          url: config.NATS_URL,
          name: definition.name,
          namespace: config.NATS_NAMESPACE,
        });
        try {
          await provisionStreams(connected, { replicas: config.NATS_STREAM_REPLICAS });
        } catch (error) {
          await connected.close();
          throw error;
        }
        return connected;
      },
      waiting,
    );
    stoppers.push(() => bus.close());
    const context: ServiceContext<DB, Config> = { config, db, bus, logger, metrics, notifications };

    const relay = new OutboxRelay({ connectionString: config.DATABASE_URL, bus, logger, metrics });
    await relay.start();
    stoppers.push(() => relay.stop());

    const { subscriptions } = definition;
    for (const listener of typeof subscriptions === 'function' ? subscriptions(context) : subscriptions) {
      const runner = new ListenerRunner({ service: definition.name, listener, db, bus, logger, metrics });
      await runner.start();
      stoppers.push(() => runner.stop());
    }
    const maintenance = new MaintenanceScheduler({
      db,
      logger,
      metrics,
      defaultSchedule: config.MAINTENANCE_SCHEDULE,
      tasks: [...commonRetentionSweeps(db, config), ...(definition.maintenance?.(context) ?? [])],
    });
    const tasks: BackgroundTask[] = [maintenance, ...(definition.backgroundTasks?.(context) ?? [])];
    for (const task of tasks) {
      await task.start();
      stoppers.push(() => task.stop());
    }

    let shuttingDown = false;
    const app = createHttpApp({
      logger,
      metrics,
      isShuttingDown: () => shuttingDown,
      readinessChecks: {
        database: () => sql`select 1`.execute(db),
        bus: () => bus.ping(),
      },
      authentication: {
        jwtKey: config.JWT_KEY,
        jwksUrl: config.JWKS_URL,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
      },
      routes: (express) => definition.routes(express, context),
    });
    const server = createServer(app);
    const port = await listen(server, config.PORT);
    stoppers.push(async () => {
      shuttingDown = true;
      const closed = closeServer(server);
      // Open event streams would keep the server from closing: ended, their clients reconnect elsewhere.
      await notifications.close();
      await closed;
    });
    logger.info({ port }, `${definition.name} started`);
    return { ...context, server, url: `http://127.0.0.1:${port}`, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
