/**
 * One side of the benchmarked pipeline, in a process of its own as in a deployment: `relay` publishes the
 * outbox (the producing service), `listener` consumes (the consuming service) and reports to the parent
 * when each event was handled. Both run with the defaults a service runs with. `publisher` is the
 * baseline: raw JetStream publishes with the same client, run the same way (compiled, plain node).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Bus, createDatabase, defineListener, ListenerRunner, OutboxRelay } from '@ticketing/bus';
import { type CommonTables } from '@ticketing/service';

const [role, databaseUrl, natsUrl] = process.argv.slice(2) as [string, string, string];
const logger = pino({ level: 'warn' });
const now = () => performance.timeOrigin + performance.now();

type Command = 'go' | 'cpu' | 'stop' | { publish: { count: number; window: number } };

/** Publishes `count` messages straight to JetStream with `window` in flight; messages per second. */
async function rawPublishRate(bus: Bus, count: number, window: number): Promise<number> {
  const subject = bus.wireSubject('tickets.created');
  const payload = JSON.stringify({
    id: randomUUID(),
    subject: 'tickets.created',
    data: { title: 'x'.repeat(64) },
  });
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const publish = bus.js
      .publish(subject, payload, { msgID: randomUUID() })
      .finally(() => inFlight.delete(publish));
    inFlight.add(publish);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return (count / (performance.now() - started)) * 1000;
}

async function main() {
  const db = createDatabase<CommonTables>({ connectionString: databaseUrl, maxConnections: 10 });
  const bus = await Bus.connect({ url: natsUrl, name: `bench-${role}`, namespace: 'bench' });
  const worker =
    role === 'publisher'
      ? undefined
      : role === 'relay'
        ? new OutboxRelay({ connectionString: databaseUrl, bus, logger })
        : new ListenerRunner<CommonTables>({
            service: 'bench',
            db,
            bus,
            logger,
            // The handler only takes its measurement: the figures are the bus's own cost (outbox row, relay,
            // stream, consumer, inbox insert in a transaction per batch), not a service's business logic.
            listener: defineListener<CommonTables, 'expiration.completed'>(
              'expiration.completed',
              async (event) => {
                handled.push([event.id, now()]);
              },
            ),
          });
  const handled: Array<[string, number]> = [];
  const report = setInterval(() => {
    if (handled.length > 0) process.send?.({ handled: handled.splice(0) });
  }, 20);
  // Loaded and connected, but idle until told to go, so that the figures leave out process start-up.
  let cpuAtStart = process.cpuUsage();
  const cpuMs = () => {
    const { user, system } = process.cpuUsage(cpuAtStart);
    return (user + system) / 1000;
  };
  process.on('message', async (command: Command) => {
    if (typeof command === 'object') {
      cpuAtStart = process.cpuUsage();
      const perSecond = await rawPublishRate(bus, command.publish.count, command.publish.window);
      process.send?.({ published: { perSecond, cpuMs: cpuMs() } });
    } else if (command === 'go') {
      cpuAtStart = process.cpuUsage();
      await worker?.start();
    } else if (command === 'cpu') {
      process.send?.({ cpuMs: cpuMs() });
    } else {
      await worker?.stop();
      clearInterval(report);
      process.send?.({ handled: handled.splice(0) });
      await bus.close();
      await db.destroy();
      process.disconnect?.();
    }
  });
  process.send?.({ ready: true });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
