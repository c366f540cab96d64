import type { Express } from 'express';
import type { Kysely, Migration } from 'kysely';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { ServiceConfig } from '../config/service-config';
import type { CommonTables } from '../database/common-tables';
import type { NotificationHub } from '../database/notification-hub';
import type { AnyEventListener, Logger } from '@ticketing/bus';
import type { MaintenanceTask } from '../maintenance/maintenance-task';

/**
 * What a service hands to its routes, listeners and background tasks. No bus: nothing is published outside
 * the outbox, and routes and tasks start before the bus is reached (docs/decisions/0015).
 */
export interface ServiceContext<DB extends CommonTables, Config extends ServiceConfig> {
  config: Config;
  db: Kysely<DB>;
  logger: Logger;
  metrics: Registry;
  /** PostgreSQL notifications for live streams (see `liveState`); connects at its first subscriber. */
  notifications: NotificationHub;
}

/** Something that runs beside the HTTP server and listeners, e.g. a scheduler; stopped on shutdown. */
export interface BackgroundTask {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A service, declared: its config, schema, subscriptions, routes and background work. */
export interface ServiceDefinition<DB extends CommonTables, Config extends ServiceConfig> {
  name: string;
  config: z.ZodType<Config>;
  migrations: Record<string, Migration>;
  /** Every event the service listens to; a function when listeners need the running service's context. */
  subscriptions: AnyEventListener<DB>[] | ((context: ServiceContext<DB, Config>) => AnyEventListener<DB>[]);
  routes(app: Express, context: ServiceContext<DB, Config>): void;
  backgroundTasks?(context: ServiceContext<DB, Config>): BackgroundTask[];
  /** Sweeps of the service's own tables, scheduled beside common's outbox, inbox and idempotency sweeps. */
  maintenance?(context: ServiceContext<DB, Config>): MaintenanceTask[];
}
