import type { ServiceContext } from '@ticketing/service';
import type { ExpirationConfig } from './config';
import type { ExpirationDatabase } from './database/schema';

/** What the expiration service's routes and background tasks are given. */
export type ExpirationContext = ServiceContext<ExpirationDatabase, ExpirationConfig>;
