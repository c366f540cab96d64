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

/**
 * Something that runs beside the HTTP server and listeners, e.g. a scheduler; started once the schema is
 * current, stopped first on shutdown, so that what it writes still leaves through the outbox.
 */
export interface BackgroundTask {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A service, declared: its config, schema, subscriptions, routes and background work. The bootstrap
 * (`runService`, `startService`) does the rest alike for every service: start-up order, probes, shutdown.
 *
 * @example
 * export const ordersService: ServiceDefinition<OrdersDatabase, OrdersConfig> = {
 *   name: 'orders',
 *   config: ordersConfig,
 *   migrations,
 *   subscriptions: [paymentCreatedListener, paymentExpiredListener],
 *   routes: (app, context) => app.use(ordersApi.router(context)),
 *   maintenance: (context) => [abandonedOrdersSweep(context)],
 * };
 */
export interface ServiceDefinition<DB extends CommonTables, Config extends ServiceConfig> {
  name: string;
  config: z.ZodType<Config>;
  migrations: Record<string, Migration>;
  /** Every event the service listens to; a function when listeners need the running service's context. */
  subscriptions: AnyEventListener<DB>[] | ((context: ServiceContext<DB, Config>) => AnyEventListener<DB>[]);
  routes(app: Express, context: ServiceContext<DB, Config>): void;
  backgroundTasks?(context: ServiceContext<DB, Config>): BackgroundTask[];
  /** Sweeps of the service's own tables, scheduled beside the outbox, inbox and idempotency key sweeps. */
  maintenance?(context: ServiceContext<DB, Config>): MaintenanceTask[];
}
