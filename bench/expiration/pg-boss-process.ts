/**
 * The baseline: pg-boss doing the expiration service's job in a process of its own. Each order is a job
 * with `startAfter` = its expiry; the worker writes expiration.completed to the outbox, which the same relay
 * as the service's publishes. Serves /readyz and /metrics (for its memory) like a service.
 */
import { createServer } from 'node:http';
import PgBoss from 'pg-boss';
import pino from 'pino';
import { Bus, createDatabase, createMetricsRegistry, enqueueAll, OutboxRelay } from '@ticketing/bus';
import { type CommonTables } from '@ticketing/service';
import { PG_BOSS_QUEUE, PG_BOSS_SCHEMA, type ExpiryJob } from './pg-boss-queue';

const env = process.env as Record<'DATABASE_URL' | 'NATS_URL' | 'NATS_NAMESPACE' | 'PORT', string>;
const logger = pino({ level: 'warn' });

async function main() {
  const metrics = createMetricsRegistry('pg-boss');
  const db = createDatabase<CommonTables>({ connectionString: env.DATABASE_URL });
  const bus = await Bus.connect({ url: env.NATS_URL, name: 'pg-boss', namespace: env.NATS_NAMESPACE });
  const relay = new OutboxRelay({ connectionString: env.DATABASE_URL, bus, logger, metrics });
  const boss = new PgBoss({ connectionString: env.DATABASE_URL, schema: PG_BOSS_SCHEMA });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));
  await boss.start();
  await relay.start();
  await boss.work<ExpiryJob>(
    PG_BOSS_QUEUE,
    // pg-boss's shortest polling interval, and the service's batch size.
    { batchSize: 500, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      await db.transaction().execute((trx) =>
        enqueueAll(
          trx,
          jobs.map((job) => ({ subject: 'expiration.completed', data: { orderId: job.data.orderId } })),
        ),
      );
    },
  );
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.metrics().then((text) => res.end(text));
    } else {
      res.end('ok');
    }
  });
  server.listen(Number(env.PORT));
  process.once('SIGTERM', async () => {
    await boss.stop({ graceful: true, wait: true });
    await relay.stop();
    await bus.close();
    await db.destroy();
    server.close(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
