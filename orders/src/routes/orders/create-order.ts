import { answerOnce, authenticatedUser, declareRoute } from '@ticketing/service';
import { z } from 'zod';
import type { OrdersContext } from '../../context';
import { orderResponse, toOrderResponse } from '../../models/order';
import { placeOrder } from '../../models/order-lifecycle';

export const createOrderRoute = declareRoute(
  {
    method: 'post',
    path: '/api/orders',
    summary: 'Reserve a ticket: pay before expiresAt',
    access: 'user',
    idempotency: 'optional',
    body: z.object({ ticketId: z.uuid({ error: 'ticketId must be a UUID' }) }),
    responses: {
      201: { description: 'The order', body: orderResponse, headers: { Location: 'the order' } },
    },
    errors: { 404: 'No such ticket', 409: 'The ticket is reserved, or the Idempotency-Key is in use' },
  },
  ({ db, config }: OrdersContext) =>
    async ({ body }, req, res) => {
      const buyer = authenticatedUser(req);
      const expiresAt = new Date(Date.now() + config.EXPIRATION_WINDOW_SECONDS * 1000);
      await answerOnce(db, res, async (db) => {
        const { order, ticket } = await placeOrder(db, {
          ticketId: body.ticketId,
          userId: buyer.id,
          expiresAt,
        });
        return { status: 201, location: `/api/orders/${order.id}`, body: toOrderResponse(order, ticket) };
      });
    },
);
