import type { CommonTables } from '@ticketing/service';

export interface PendingExpirationsTable {
  /** One row per unpaid order: a repeated orders.created finds it there and adds nothing. */
  order_id: string;
  expires_at: Date;
}

/** The expiration service's database: the shared outbox, inbox and idempotency keys, plus its own tables. */
export interface ExpirationDatabase extends CommonTables {
  pending_expirations: PendingExpirationsTable;
}
