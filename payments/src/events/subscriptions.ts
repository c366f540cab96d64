import type { AnyEventListener } from '@ticketing/common';
import type { PaymentsDatabase } from '../database/schema';

/** Every event the payments service listens to. */
export const subscriptions: AnyEventListener<PaymentsDatabase>[] = [];
