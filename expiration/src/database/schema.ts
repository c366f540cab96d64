import type { CommonTables } from '@ticketing/common';

/** The expiration service's database: common's outbox, inbox and idempotency keys, plus its own tables. */
export type ExpirationDatabase = CommonTables;
