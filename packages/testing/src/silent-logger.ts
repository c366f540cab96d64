import { createLogger } from '@ticketing/bus';

/**
 * A logger that writes nothing, for code under test whose log lines the test does not read.
 *
 * @example
 * const runner = new ListenerRunner({ service: 'test', listener, db, bus, logger: silentLogger });
 */
export const silentLogger = createLogger('test', 'silent');
