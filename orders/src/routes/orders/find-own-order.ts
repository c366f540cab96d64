import { ForbiddenError, NotFoundError, type CurrentUser } from '@ticketing/service';
import type { Kysely } from 'kysely';
import type { OrdersDatabase } from '../../database/schema';
import { selectOrdersWithTickets, splitOrderWithTicket } from '../../models/orders-with-tickets';

/** The order with its ticket, if it is the caller's: 404 when there is none, 403 when it is someone else's. */
export async function findOwnOrder(db: Kysely<OrdersDatabase>, orderId: string, user: CurrentUser) {
  const found = await selectOrdersWithTickets(db).where('orders.id', '=', orderId).executeTakeFirst();
  if (!found) throw new NotFoundError('Order not found');
  if (found.user_id !== user.id) throw new ForbiddenError('This order belongs to another user');
  return splitOrderWithTicket(found);
}
