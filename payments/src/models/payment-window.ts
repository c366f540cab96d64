import { enqueue, retryTransaction } from '@ticketing/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';
import { AWAITING_PAYMENT, lockOrder, type OrderReplicaRow } from './order-replica';

const OPEN_ATTEMPT: ['pending', 'requires_action'] = ['pending', 'requires_action'];

/**
 * The order's deadline has come: from now on no attempt starts for it, and once the attempts already
 * under way have settled without a payment, `payments.expired` says so. An attempt Stripe accepted before
 * the deadline is recorded first, however late the system's own events run, and then the order is paid,
 * not expired. Takes the order's lock; an order not replicated yet cannot have been paid.
 */
export async function reachDeadline(trx: Transaction<PaymentsDatabase>, orderId: string): Promise<void> {
  const order = await lockOrder(trx, orderId);
  if (!order) {
    await enqueue(trx, 'payments.expired', { orderId, expiresAt: null });
    return;
  }
  const reached =
    order.deadline_reached_at === null
      ? await trx
          .updateTable('orders')
          .set({ deadline_reached_at: sql`now()` })
          .where('id', '=', orderId)
          .returningAll()
          .executeTakeFirstOrThrow()
      : order;
  await expireIfSettled(trx, reached);
}

/**
 * Publishes `payments.expired` for an order past its deadline once nothing can pay it any more: no payment,
 * no attempt still open. Called with the order's lock held, wherever an attempt settles, and by the sweep.
 */
export async function expireIfSettled(
  trx: Transaction<PaymentsDatabase>,
  order: OrderReplicaRow,
): Promise<boolean> {
  if (order.deadline_reached_at === null || order.expired_at !== null) return false;
  if (!AWAITING_PAYMENT.includes(order.status)) return false;
  const blocker = await trx
    .selectFrom('payment_attempts')
    .select('id')
    .where('order_id', '=', order.id)
    .where('status', 'in', [...OPEN_ATTEMPT, 'succeeded'])
    .executeTakeFirst();
  const paid = await trx
    .selectFrom('payments')
    .select('id')
    .where('order_id', '=', order.id)
    .executeTakeFirst();
  if (blocker || paid) return false;
  await trx
    .updateTable('orders')
    .set({ expired_at: sql`now()` })
    .where('id', '=', order.id)
    .execute();
  await enqueue(trx, 'payments.expired', {
    orderId: order.id,
    expiresAt: order.expires_at?.toISOString() ?? null,
  });
  return true;
}

/** Orders past their deadline still waiting for an attempt to settle: what the sweep looks at. */
export function ordersPastDeadline(db: Kysely<PaymentsDatabase>, limit: number) {
  return db
    .selectFrom('orders')
    .select('id')
    .where('deadline_reached_at', 'is not', null)
    .where('expired_at', 'is', null)
    .where('status', 'in', AWAITING_PAYMENT)
    .orderBy('deadline_reached_at')
    .limit(limit)
    .execute();
}

/** Takes the order's lock and publishes `payments.expired` if it is due; see `expireIfSettled`. */
export function expireIfDue(db: Kysely<PaymentsDatabase>, orderId: string): Promise<boolean> {
  return retryTransaction(db, async (trx) => {
    const order = await lockOrder(trx, orderId);
    return order ? expireIfSettled(trx, order) : false;
  });
}
