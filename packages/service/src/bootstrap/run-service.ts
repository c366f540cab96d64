import { ConfigError } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import { createLogger } from '@ticketing/bus';
import type { ServiceDefinition } from './service-definition';
import { launchService, type LaunchedService } from './start-service';

/**
 * A service's `main`: launches it (HTTP first, then its dependencies as they come up), and on
 * SIGTERM/SIGINT stops it gracefully within SHUTDOWN_TIMEOUT_MS (then exits anyway), during start-up too.
 * A start-up failure exits 1 with the reason: a bad config (naming the variable), a failure waiting cannot
 * fix, or a wait longer than STARTUP_DEPENDENCY_TIMEOUT_SECONDS when it is set.
 *
 * @example
 * void runService(ordersService); // reads process.env; never returns while the service runs
 */
export async function runService<DB extends CommonTables, Config extends ServiceConfig>(
  definition: ServiceDefinition<DB, Config>,
): Promise<void> {
  const logger = createLogger(definition.name);
  let launched: LaunchedService<DB, Config>;
  try {
    launched = await launchService(definition, process.env, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, `${definition.name} failed to start`);
    }
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error(`did not stop within ${launched.config.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, launched.config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    launched.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  launched.started.catch((error: unknown) => {
    if (stopping) return; // a signal ended the start: the shutdown exits
    logger.fatal({ err: error }, `${definition.name} failed to start`);
    process.exit(1);
  });
}
