import type { Express } from 'express';
import type { ServiceContext } from '@ticketing/common';
import type { PaymentsConfig } from './config';
import type { PaymentsDatabase } from './database/schema';

/** Mounts the payments service's routes on the app common builds (probes, metrics, auth, errors). */
export function mountRoutes(
  _app: Express,
  _context: ServiceContext<PaymentsDatabase, PaymentsConfig>,
): void {}
