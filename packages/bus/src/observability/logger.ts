import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs with the service name on every line. Credentials never reach a log: request headers that carry
 * them are redacted, and config is never logged whole. `destination` is stdout unless a test captures it.
 *
 * @example
 * const logger = createLogger('receipts'); // LOG_LEVEL, or info
 * logger.info({ orderId }, 'receipt sent');
 */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["set-cookie"]',
          'req.headers["stripe-signature"]',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
