import type { Express } from 'express';
import type { ServiceContext } from '@ticketing/common';
import type { ExpirationConfig } from './config';
import type { ExpirationDatabase } from './database/schema';

/** Mounts the expiration service's routes on the app common builds (probes, metrics, auth, errors). */
export function mountRoutes(
  _app: Express,
  _context: ServiceContext<ExpirationDatabase, ExpirationConfig>,
): void {}
