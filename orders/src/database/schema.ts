import type { CommonTables } from '@ticketing/common';

/** The orders service's database: common's outbox, inbox and idempotency keys, plus its own tables. */
export type OrdersDatabase = CommonTables;
