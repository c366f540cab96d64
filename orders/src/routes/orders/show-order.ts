import { authenticatedUser, declareRoute } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { orderResponse, toOrderResponse } from '../../models/order';
import { idParam } from '../ids';
import { findOwnOrder } from './find-own-order';

export const showOrderRoute = declareRoute(
  {
    method: 'get',
    path: '/api/orders/:id',
    summary: 'Your order; its live updates are at /api/orders/{id}/events',
    access: 'user',
    params: idParam,
    responses: { 200: { description: 'The order', body: orderResponse } },
    errors: { 403: 'Not your order', 404: 'No such order' },
  },
  ({ db }: OrdersContext) =>
    async ({ params }, req, res) => {
      const { order, ticket } = await findOwnOrder(db, params.id, authenticatedUser(req));
      res.json(toOrderResponse(order, ticket));
    },
);
