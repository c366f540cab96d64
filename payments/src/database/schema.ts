import type { CommonTables } from '@ticketing/common';

/** The payments service's database: common's outbox, inbox and idempotency keys, plus its own tables. */
export type PaymentsDatabase = CommonTables;
