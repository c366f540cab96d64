import type { ServiceContext } from '@ticketing/common';
import type { PaymentsConfig } from './config';
import type { PaymentsDatabase } from './database/schema';

/** What the payments service's routes, listeners and tasks are given. */
export type PaymentsContext = ServiceContext<PaymentsDatabase, PaymentsConfig>;
