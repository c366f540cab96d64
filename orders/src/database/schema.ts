import type { OrderStatus } from '@ticketing/contracts';
import type { CommonTables } from '@ticketing/service';
import type { ColumnType, Generated } from 'kysely';

export interface TicketsTable {
  id: string;
  title: string;
  /** Minor units (cents). */
  price: number;
  currency: string;
  user_id: string;
  /** The active order reserving the ticket; kept in step with `orders` in the same transactions. */
  order_id: string | null;
  version: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** `refunded`: it was paid, and all of the money went back. */
export type CancellationReason = 'expired' | 'user' | 'refunded';

export interface OrdersTable {
  id: string;
  user_id: string;
  ticket_id: string;
  status: OrderStatus;
  cancellation_reason: CancellationReason | null;
  expires_at: Date;
  /** What the buyer owes: the ticket's price when the order was placed. */
  price: number;
  currency: string;
  payment_id: string | null;
  version: number;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, never, Date | string>;
}

/** The orders service's database: the shared outbox, inbox and idempotency keys, plus its own tables. */
export interface OrdersDatabase extends CommonTables {
  tickets: TicketsTable;
  orders: OrdersTable;
}
