import { createLogger } from '@ticketing/bus';

/**
 * A logger that writes nothing, for code under test whose log lines the test does not read.
 *
 * @example
 * const app = createHttpApp({ logger: silentLogger, registry, routes });
 */
export const silentLogger = createLogger('test', 'silent');
