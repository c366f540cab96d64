import type { AnyEventListener } from '@ticketing/common';
import type { ExpirationDatabase } from '../database/schema';

/** Every event the expiration service listens to. */
export const subscriptions: AnyEventListener<ExpirationDatabase>[] = [];
