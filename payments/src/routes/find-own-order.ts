import { ForbiddenError, NotFoundError, type CurrentUser } from '@ticketing/common';
import type { Kysely } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';

/** The order as this service knows it, if it is the caller's: 404 when unknown, 403 when someone else's. */
export async function findOwnOrder(db: Kysely<PaymentsDatabase>, orderId: string, user: CurrentUser) {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!order) throw new NotFoundError('Order not found');
  if (order.user_id !== user.id) throw new ForbiddenError('This order belongs to another user');
  return order;
}
