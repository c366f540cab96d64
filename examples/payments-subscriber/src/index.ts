/**
 * receipts: an outside service that keeps a receipt of every payment the ticketing system takes. It shares
 * nothing with the ticketing services but the bus: its own PostgreSQL database, its own durable consumer.
 *
 * Settings, from the environment:
 *   NATS_URL        the ticketing system's nats-server, e.g. nats://127.0.0.1:4222
 *   NATS_NAMESPACE  the system's bus namespace, if it runs in one (as the tests' systems do); usually unset
 *   NATS_USER, NATS_PASSWORD  this service's NATS user, where the server requires one
 *   DATABASE_URL    a PostgreSQL database of this service's own
 *   LOG_LEVEL       info by default
 */
import { Bus, createDatabase, createLogger, ListenerRunner, type Logger } from '@ticketing/bus';
import { migrate, type ReceiptsDatabase } from './database';
import { paymentReceived } from './payment-received';

/** The name the durable consumer is made from: replicas of this service share `receipts-payments-created`. */
const SERVICE = 'receipts';
const RETRY_DELAY_MS = 1_000;

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Tries `attempt` until it succeeds: what this service needs may start after it, or be restarting. */
async function retry<T>(what: string, attempt: () => Promise<T>, logger: Logger): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      logger.warn({ err: error }, `waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

async function main(): Promise<void> {
  const logger = createLogger(SERVICE);
  const stops: Array<() => Promise<void>> = [];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info(`${signal}: stopping`);
      void (async () => {
        for (const stop of stops.reverse()) await stop();
        process.exit(0);
      })();
    });
  }

  const db = createDatabase<ReceiptsDatabase>({
    connectionString: setting('DATABASE_URL'),
    applicationName: SERVICE,
  });
  stops.push(() => db.destroy());
  const applied = await retry('the database', () => migrate(db), logger);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');

  const user = process.env.NATS_USER;
  const bus = await retry(
    'NATS',
    () =>
      Bus.connect({
        url: setting('NATS_URL'),
        name: SERVICE,
        namespace: process.env.NATS_NAMESPACE,
        credentials: user ? { user, password: setting('NATS_PASSWORD') } : undefined,
      }),
    logger,
  );
  stops.push(() => bus.close());

  // The consumer is durable: payments made while this service was down are delivered when it is back.
  const runner = new ListenerRunner({ service: SERVICE, listener: paymentReceived, db, bus, logger });
  // The PAYMENTS stream belongs to the payments service, which creates it with the settings of its
  // deployment: this service waits for it rather than provisioning streams of its own.
  await retry('the PAYMENTS stream', () => runner.start(), logger);
  stops.push(() => runner.stop());
  logger.info({ consumer: runner.durable }, 'receiving payments.created');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
