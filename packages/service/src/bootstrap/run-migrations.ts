import type { Kysely } from 'kysely';
import { ConfigError, loadConfig } from '../config/load-config';
import { migrationConfig, type ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import { createDatabase, createLogger, type Logger } from '@ticketing/bus';
import { migrateToLatest } from '../database/migrate';
import { runService } from './run-service';
import type { ServiceDefinition } from './service-definition';
import { waitForDependency } from './wait-for-dependency';

/**
 * Applies a service's migrations (the common ones, then its own) under the advisory lock and returns the
 * ones it applied. Reads only DATABASE_URL, LOG_LEVEL and STARTUP_DEPENDENCY_TIMEOUT_SECONDS; waits for the
 * database like a starting service does.
 *
 * @example
 * const applied = await migrateService(ordersService, { DATABASE_URL: databaseUrl });
 */
export async function migrateService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
  env: Record<string, string | undefined> = process.env,
  logger?: Logger,
): Promise<string[]> {
  const config = loadConfig(migrationConfig, env);
  const log = logger ?? createLogger(definition.name, config.LOG_LEVEL);
  const db = createDatabase<unknown>({
    connectionString: config.DATABASE_URL,
    maxConnections: 1,
    applicationName: `${definition.name}-migrate`,
  });
  try {
    const deadline =
      config.STARTUP_DEPENDENCY_TIMEOUT_SECONDS > 0
        ? Date.now() + config.STARTUP_DEPENDENCY_TIMEOUT_SECONDS * 1000
        : undefined;
    const applied = await waitForDependency(
      'database',
      () => migrateToLatest(db as Kysely<unknown>, definition.migrations),
      { logger: log, deadline },
    );
    log.info(
      { applied },
      applied.length > 0 ? `applied ${applied.length} migration(s)` : 'the schema is up to date',
    );
    return applied;
  } finally {
    await db.destroy();
  }
}

/**
 * A service's `migrate` command (`node <service>/dist/index.js migrate`, e.g. as a Kubernetes Job):
 * applies its migrations and exits 0, or exits 1 with the reason.
 *
 * @example
 * if (process.argv[2] === 'migrate') void runMigrations(ordersService);
 */
export async function runMigrations<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
): Promise<void> {
  const logger = createLogger(definition.name);
  try {
    await migrateService(definition, process.env, logger);
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`${definition.name}: ${error.message}\n`);
    else logger.fatal({ err: error }, `${definition.name} migrations failed`);
    process.exit(1);
  }
  process.exit(0);
}

/**
 * A service's entry point: no argument runs the service; `migrate` runs its migrations and exits. Any
 * other argument is refused (exit 2), rather than starting the service by mistake.
 *
 * @example
 * void runServiceCommand(ordersService, process.argv[2]);
 */
export async function runServiceCommand<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
  command: string | undefined,
): Promise<void> {
  if (command === undefined) return runService(definition);
  if (command === 'migrate') return runMigrations(definition);
  process.stderr.write(`${definition.name}: unknown command "${command}" (expected none, or "migrate")\n`);
  process.exit(2);
}
