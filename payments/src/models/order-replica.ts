import { OrderStatus, versionOrder, type EventData, type RetryLater } from '@ticketing/common';
import { sql, type Transaction } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';

/** Keeps the copy of an order that `orders.created` started. */
export async function replicateCreatedOrder(
  trx: Transaction<PaymentsDatabase>,
  order: EventData<'orders.created'>,
): Promise<void> {
  await trx
    .insertInto('orders')
    .values({
      id: order.id,
      user_id: order.userId,
      status: order.status,
      version: order.version,
      amount: order.ticket.price,
      currency: order.ticket.currency,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

/**
 * Applies a status change carried by version `version`: only on top of the version before it. Returns
 * 'applied', 'stale' for one already applied (a redelivery), or a RetryLater for one that overtook its
 * predecessor (orders.created included).
 */
export async function applyOrderStatus(
  trx: Transaction<PaymentsDatabase>,
  { id, version, status }: { id: string; version: number; status: OrderStatus },
  retryLater: (reason: string) => RetryLater,
): Promise<'applied' | 'stale' | RetryLater> {
  const held = await trx
    .selectFrom('orders')
    .select('version')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!held) return retryLater(`order ${id} has not been replicated yet`);
  const order = versionOrder(held.version, version);
  if (order === 'stale') return 'stale';
  if (order === 'future') return retryLater(`order ${id} is at version ${held.version}, event is ${version}`);
  await trx
    .updateTable('orders')
    .set({ status, version, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
  return 'applied';
}
