import type { Express } from 'express';
import type { ServiceContext } from '@ticketing/common';
import type { OrdersConfig } from './config';
import type { OrdersDatabase } from './database/schema';

/** Mounts the orders service's routes on the app common builds (probes, metrics, auth, errors). */
export function mountRoutes(_app: Express, _context: ServiceContext<OrdersDatabase, OrdersConfig>): void {}
