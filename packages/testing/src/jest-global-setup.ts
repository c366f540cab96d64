import { NatsServer } from './nats-server';
import { PostgresServer } from './postgres-server';
import { SHARED_NATS_ENV, SHARED_POSTGRES_ENV } from './test-infrastructure';

declare global {
  var __ticketingTestServers: Array<PostgresServer | NatsServer> | undefined;
}

/** Starts the run's PostgreSQL and nats-server; workers inherit their URLs through the environment. */
export default async function globalSetup(): Promise<void> {
  const [postgres, nats] = await Promise.all([PostgresServer.start(), NatsServer.start()]);
  globalThis.__ticketingTestServers = [postgres, nats];
  process.env[SHARED_POSTGRES_ENV] = postgres.url();
  process.env[SHARED_NATS_ENV] = nats.url;
}
