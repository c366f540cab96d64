import { authenticatedUser, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { param } from 'express-validator';
import type { OrdersContext } from '../../context';
import { toOrderResponse } from '../../models/order';
import { findOwnOrder } from './find-own-order';

export function showOrderRouter({ db }: OrdersContext): Router {
  return Router().get(
    '/api/orders/:id',
    requireAuth,
    param('id').isUUID().withMessage('id must be a UUID'),
    validateRequest,
    async (req, res) => {
      const { order, ticket } = await findOwnOrder(db, req.params.id as string, authenticatedUser(req));
      res.json(toOrderResponse(order, ticket));
    },
  );
}
