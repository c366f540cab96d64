import { authenticatedUser, liveState, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { param } from 'express-validator';
import type { OrdersContext } from '../../context';
import { ORDER_CHANGED_CHANNEL } from '../../database/migrations';
import { toOrderResponse } from '../../models/order';
import { findOwnOrder } from './find-own-order';

/**
 * The buyer's order as Server-Sent Events: a `state` event with the body GET /api/orders/:id answers, on
 * connection and after every change, whichever replica made it.
 */
export function orderEventsRouter({ db, notifications, config }: OrdersContext): Router {
  return Router().get(
    '/api/orders/:id/events',
    requireAuth,
    param('id').isUUID().withMessage('id must be a UUID'),
    validateRequest,
    liveState({
      hub: notifications,
      channel: ORDER_CHANGED_CHANNEL,
      key: (req) => req.params.id as string,
      load: async (req) => {
        const { order, ticket } = await findOwnOrder(db, req.params.id as string, authenticatedUser(req));
        return toOrderResponse(order, ticket);
      },
      heartbeatMs: config.LIVE_HEARTBEAT_MS,
    }),
  );
}
