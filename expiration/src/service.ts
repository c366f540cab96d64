import type { ServiceDefinition } from '@ticketing/common';
import { mountRoutes } from './app';
import { expirationConfig, type ExpirationConfig } from './config';
import { migrations } from './database/migrations';
import type { ExpirationDatabase } from './database/schema';
import { subscriptions } from './events/subscriptions';

export const expirationService: ServiceDefinition<ExpirationDatabase, ExpirationConfig> = {
  name: 'expiration',
  config: expirationConfig,
  migrations,
  subscriptions,
  routes: mountRoutes,
};
