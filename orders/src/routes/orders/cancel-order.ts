import {
  authenticatedUser,
  ConflictError,
  OrderStatus,
  requireAuth,
  validateRequest,
} from '@ticketing/common';
import { Router } from 'express';
import { param } from 'express-validator';
import type { OrdersContext } from '../../context';
import { toOrderResponse } from '../../models/order';
import { cancelOrder } from '../../models/order-lifecycle';
import { findOwnOrder } from './find-own-order';

/** The buyer gives up an unpaid order; cancelling a cancelled order again changes nothing. */
export function cancelOrderRouter({ db }: OrdersContext): Router {
  return Router().delete(
    '/api/orders/:id',
    requireAuth,
    param('id').isUUID().withMessage('id must be a UUID'),
    validateRequest,
    async (req, res) => {
      const buyer = authenticatedUser(req);
      const { order: found } = await findOwnOrder(db, req.params.id as string, buyer);
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
}
