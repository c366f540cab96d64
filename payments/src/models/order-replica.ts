import { OrderStatus, versionOrder, type EventData } from '@ticketing/contracts';
import { type RetryLater } from '@ticketing/bus';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { OrdersTable, PaymentsDatabase } from '../database/schema';

export type OrderReplicaRow = Selectable<OrdersTable>;

/** Statuses in which an order can still be paid. */
export const AWAITING_PAYMENT: OrderStatus[] = [OrderStatus.Created, OrderStatus.AwaitingPayment];

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
      expires_at: new Date(order.expiresAt),
      deadline_reached_at: null,
      expired_at: null,
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

/**
 * Takes the order's row lock, which every change to the order's payments takes first: settling an attempt,
 * recording a payment, applying a cancellation, closing the order at its deadline. One lock, taken first,
 * serialises them and keeps them from deadlocking on the rows they touch next.
 */
export function lockOrder(
  trx: Transaction<PaymentsDatabase>,
  orderId: string,
): Promise<OrderReplicaRow | undefined> {
  return trx.selectFrom('orders').selectAll().where('id', '=', orderId).forUpdate().executeTakeFirst();
}

/**
 * How long after it started an attempt made before the deadline may still send its charge to Stripe: its
 * own request at work, whatever Stripe's latency. An attempt resumed later (its process died) is held to
 * the deadline.
 */
export const IN_TIME_ATTEMPT_GRACE_MS = 30_000;

/**
 * Why a charge must not be made for the order now, or undefined when it may. `attemptStartedAt` is when the
 * attempt to be charged was made; without it (a new attempt) the deadline is strict.
 */
export function unpayableReason(
  order: OrderReplicaRow,
  now: Date,
  attemptStartedAt?: Date,
): string | undefined {
  if (order.status === OrderStatus.Cancelled) return 'The order was cancelled';
  if (order.status === OrderStatus.Complete) return 'The order is already paid';
  const startedInTime =
    attemptStartedAt !== undefined &&
    (order.expires_at === null || attemptStartedAt < order.expires_at) &&
    now.getTime() - attemptStartedAt.getTime() < IN_TIME_ATTEMPT_GRACE_MS;
  const pastDeadline =
    order.deadline_reached_at !== null || (order.expires_at !== null && order.expires_at <= now);
  if (pastDeadline && !startedInTime) return 'The time to pay for this order has run out';
  return undefined;
}
