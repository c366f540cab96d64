import { authenticatedUser, declareRoute, liveState, liveStateContract } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { ORDER_CHANGED_CHANNEL } from '../../database/migrations';
import { orderResponse, toOrderResponse } from '../../models/order';
import { idParam } from '../ids';
import { findOwnOrder } from './find-own-order';

/**
 * The buyer's order as Server-Sent Events: a `state` event with the body GET /api/orders/:id answers, on
 * connection and after every change, whichever replica made it.
 */
export const orderEventsRoute = declareRoute(
  liveStateContract({
    path: '/api/orders/:id/events',
    summary: 'Your order, live: what GET /api/orders/{id} answers, again whenever it changes',
    params: idParam,
    state: orderResponse,
    errors: { 403: 'Not your order', 404: 'No such order' },
  }),
  ({ db, notifications, config }: OrdersContext) => {
    const stream = liveState({
      hub: notifications,
      channel: ORDER_CHANGED_CHANNEL,
      key: (req) => req.params.id as string,
      load: async (req) => {
        const { order, ticket } = await findOwnOrder(db, req.params.id as string, authenticatedUser(req));
        return toOrderResponse(order, ticket);
      },
      heartbeatMs: config.LIVE_HEARTBEAT_MS,
    });
    // The stream rejects before its headers when the order cannot be shown: the usual JSON 4xx.
    return async (_input, req, res) => {
      await stream(req, res, () => undefined);
    };
  },
);
