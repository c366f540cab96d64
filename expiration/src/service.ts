import type { ServiceDefinition } from '@ticketing/service';
import { mountRoutes } from './app';
import { expirationConfig, type ExpirationConfig } from './config';
import { migrations } from './database/migrations';
import type { ExpirationDatabase } from './database/schema';
import { subscriptions } from './events/subscriptions';
import { ExpirationScheduler } from './scheduler/expiration-scheduler';

export const expirationService: ServiceDefinition<ExpirationDatabase, ExpirationConfig> = {
  name: 'expiration',
  config: expirationConfig,
  migrations,
  subscriptions,
  routes: mountRoutes,
  backgroundTasks: ({ db, config, logger, metrics }) => [
    new ExpirationScheduler({
      db,
      connectionString: config.DATABASE_URL,
      logger,
      metrics,
      batchSize: config.EXPIRATION_BATCH_SIZE,
    }),
  ],
};
