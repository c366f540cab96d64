import { authenticatedUser, liveState, requireAuth, validateRequest } from '@ticketing/common';
import { Router, type Request } from 'express';
import { param } from 'express-validator';
import type { PaymentsContext } from '../context';
import { ORDER_PAYMENTS_CHANGED_CHANNEL } from '../database/migrations';
import { readOrderPayments } from '../models/order-payments-response';
import { findOwnOrder } from './find-own-order';

/**
 * The buyer's view of paying an order: its attempts, payment and refunds, as one JSON snapshot (what a
 * client polls while it has no stream) and as Server-Sent Events carrying that snapshot whenever it
 * changes, whichever replica changed it.
 */
export function orderPaymentsRouter({ db, notifications, config }: PaymentsContext): Router {
  const orderId = param('orderId').isUUID().withMessage('orderId must be a UUID');
  const load = async (req: Request) => {
    const order = await findOwnOrder(db, req.params.orderId as string, authenticatedUser(req));
    return readOrderPayments(db, order.id);
  };
  return Router()
    .get('/api/payments/orders/:orderId', requireAuth, orderId, validateRequest, async (req, res) => {
      res.json(await load(req));
    })
    .get(
      '/api/payments/orders/:orderId/events',
      requireAuth,
      orderId,
      validateRequest,
      liveState({
        hub: notifications,
        channel: ORDER_PAYMENTS_CHANGED_CHANNEL,
        key: (req) => req.params.orderId as string,
        load,
        heartbeatMs: config.LIVE_HEARTBEAT_MS,
      }),
    );
}
