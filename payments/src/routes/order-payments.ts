import { authenticatedUser, declareRoute, liveState, liveStateContract } from '@ticketing/service';
import type { Request } from 'express';
import { z } from 'zod';
import type { PaymentsContext } from '../context';
import { ORDER_PAYMENTS_CHANGED_CHANNEL } from '../database/migrations';
import { orderPaymentsResponse, readOrderPayments } from '../models/order-payments-response';
import { findOwnOrder } from './find-own-order';

const orderIdParam = z.object({ orderId: z.uuid({ error: 'orderId must be a UUID' }) });
const refusals = { 403: 'Not your order', 404: 'No such order (yet)' };

/** The buyer's view of paying an order: its attempts, payment and refunds. */
function loadOrderPayments({ db }: PaymentsContext) {
  return async (req: Request) => {
    const order = await findOwnOrder(db, req.params.orderId as string, authenticatedUser(req));
    return readOrderPayments(db, order.id);
  };
}

/** One JSON snapshot: what a client polls while it has no stream. */
export const orderPaymentsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/orders/:orderId',
    summary: "Your order's attempts, payment and refunds: poll it while the event stream is unavailable",
    access: 'user',
    params: orderIdParam,
    responses: { 200: { description: 'Everything about paying the order', body: orderPaymentsResponse } },
    errors: refusals,
  },
  (context: PaymentsContext) => {
    const load = loadOrderPayments(context);
    return async (_input, req, res) => {
      res.json(await load(req));
    };
  },
);

/** The same snapshot as Server-Sent Events, again whenever it changes, whichever replica changed it. */
export const orderPaymentsEventsRoute = declareRoute(
  liveStateContract({
    path: '/api/payments/orders/:orderId/events',
    summary:
      'Paying your order, live: what GET /api/payments/orders/{orderId} answers, again on every change',
    params: orderIdParam,
    state: orderPaymentsResponse,
    errors: refusals,
  }),
  (context: PaymentsContext) => {
    const stream = liveState({
      hub: context.notifications,
      channel: ORDER_PAYMENTS_CHANGED_CHANNEL,
      key: (req) => req.params.orderId as string,
      load: loadOrderPayments(context),
      heartbeatMs: context.config.LIVE_HEARTBEAT_MS,
    });
    // The stream rejects before its headers when the order cannot be shown: the usual JSON 4xx.
    return async (_input, req, res) => {
      await stream(req, res, () => undefined);
    };
  },
);
