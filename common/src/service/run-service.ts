import { ConfigError } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import { createLogger } from '../observability/logger';
import type { ServiceDefinition } from './service-definition';
import { startService } from './start-service';

/**
 * A service's `main`: starts it, and on SIGTERM/SIGINT stops it gracefully within SHUTDOWN_TIMEOUT_MS
 * (then exits anyway). A start-up failure exits 1 with the reason; a bad config names the variable.
 */
export async function runService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
): Promise<void> {
  const logger = createLogger(definition.name);
  let running: Awaited<ReturnType<typeof startService<DB, Config>>>;
  try {
    running = await startService(definition, process.env, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, `${definition.name} failed to start`);
    }
    process.exit(1);
  }
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error(`did not stop within ${running.config.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, running.config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
