import type { Transaction } from 'kysely';
import type { ExpirationDatabase } from '../database/schema';

/** Schedules an order's expiry; an order already scheduled keeps its row, so a repeated event is harmless. */
export async function addPendingExpiration(
  trx: Transaction<ExpirationDatabase>,
  orderId: string,
  expiresAt: Date,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('pending_expirations')
    .values({ order_id: orderId, expires_at: expiresAt })
    .onConflict((conflict) => conflict.column('order_id').doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows === 1n;
}

/** Forgets an order's expiry: it was paid or cancelled first. */
export async function removePendingExpiration(
  trx: Transaction<ExpirationDatabase>,
  orderId: string,
): Promise<void> {
  await trx.deleteFrom('pending_expirations').where('order_id', '=', orderId).execute();
}
