import type { Express } from 'express';
import type { ExpirationContext } from './context';

/** Mounts the expiration service's routes on the app @ticketing/service builds (probes, metrics, auth, errors). */
export function mountRoutes(_app: Express, _context: ExpirationContext): void {}
