import { OrderStatus } from '@ticketing/contracts';
import { authenticatedUser, ConflictError, declareRoute } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { orderResponse, toOrderResponse } from '../../models/order';
import { cancelOrder } from '../../models/order-lifecycle';
import { idParam } from '../ids';
import { findOwnOrder } from './find-own-order';

/** The buyer gives up an unpaid order; cancelling a cancelled order again changes nothing. */
export const cancelOrderRoute = declareRoute(
  {
    method: 'delete',
    path: '/api/orders/:id',
    summary: 'Cancel your unpaid order and release its ticket',
    access: 'user',
    params: idParam,
    responses: { 200: { description: 'The cancelled order', body: orderResponse } },
    errors: { 403: 'Not your order', 404: 'No such order', 409: 'The order is paid' },
  },
  ({ db }: OrdersContext) =>
    async ({ params }, req, res) => {
      const buyer = authenticatedUser(req);
      const { order: found } = await findOwnOrder(db, params.id, buyer);
      if (found.status !== OrderStatus.Cancelled) {
        await db.transaction().execute((trx) => cancelOrder(trx, found.id, 'user'));
      }
      // Read again: a payment may have completed the order while we tried.
      const { order, ticket } = await findOwnOrder(db, found.id, buyer);
      if (order.status === OrderStatus.Complete)
        throw new ConflictError('The order is paid and cannot be cancelled');
      res.json(toOrderResponse(order, ticket));
    },
);
