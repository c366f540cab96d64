import { ForbiddenError, NotFoundError, type CurrentUser } from '@ticketing/service';
import type { Kysely } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';
import { waitForOrder, type OrderArrival } from '../models/order-arrival';

/**
 * The order as this service knows it, if it is the caller's: 404 when unknown, 403 when someone else's.
 * With `arrival`, an order not replicated here yet is waited for before the 404 (see `waitForOrder`).
 */
export async function findOwnOrder(
  db: Kysely<PaymentsDatabase>,
  orderId: string,
  user: CurrentUser,
  arrival?: OrderArrival,
) {
  const read = () => db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  const order = arrival ? await waitForOrder(arrival, orderId, read) : await read();
  if (!order) throw new NotFoundError('Order not found');
  if (order.user_id !== user.id) throw new ForbiddenError('This order belongs to another user');
  return order;
}
