import { authenticatedUser, idempotency, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { body } from 'express-validator';
import type { OrdersContext } from '../../context';
import { toOrderResponse } from '../../models/order';
import { placeOrder } from '../../models/order-lifecycle';

export function createOrderRouter({ db, config }: OrdersContext): Router {
  return Router().post(
    '/api/orders',
    requireAuth,
    idempotency(db),
    body('ticketId').isUUID().withMessage('ticketId must be a UUID'),
    validateRequest,
    async (req, res) => {
      const buyer = authenticatedUser(req);
      const expiresAt = new Date(Date.now() + config.EXPIRATION_WINDOW_SECONDS * 1000);
      const { order, ticket } = await placeOrder(db, {
        ticketId: req.body.ticketId,
        userId: buyer.id,
        expiresAt,
      });
      res.status(201).location(`/api/orders/${order.id}`).json(toOrderResponse(order, ticket));
    },
  );
}
