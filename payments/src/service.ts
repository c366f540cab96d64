import type { ServiceDefinition } from '@ticketing/service';
import { mountRoutes } from './app';
import { paymentsConfig, type PaymentsConfig } from './config';
import { migrations } from './database/migrations';
import type { PaymentsDatabase } from './database/schema';
import { subscriptions } from './events/subscriptions';
import { stripeEventsSweep } from './maintenance/stripe-events-sweep';
import { reconciliationSweep } from './reconciliation/reconciliation-sweep';

export const paymentsService: ServiceDefinition<PaymentsDatabase, PaymentsConfig> = {
  name: 'payments',
  config: paymentsConfig,
  migrations,
  subscriptions,
  routes: mountRoutes,
  backgroundTasks: (context) => [reconciliationSweep(context)],
  maintenance: (context) => [stripeEventsSweep(context)],
};
