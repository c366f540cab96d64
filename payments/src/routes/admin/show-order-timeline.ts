import { declareRoute, NotFoundError } from '@ticketing/service';
import { z } from 'zod';
import type { PaymentsContext } from '../../context';
import { orderTimelineResponse, readOrderTimeline } from '../../reporting/order-timeline';

export const showOrderTimelineRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/orders/:orderId',
    summary: 'Admin: one order, its attempts, payment and refunds, and their timeline',
    access: 'admin',
    params: z.object({ orderId: z.uuid({ error: 'orderId must be a UUID' }) }),
    responses: { 200: { description: 'The order and its timeline', body: orderTimelineResponse } },
    errors: { 404: 'This service has no such order (yet: it may still be on its way)' },
  },
  ({ db }: PaymentsContext) =>
    async ({ params }, _req, res) => {
      const timeline = await readOrderTimeline(db, params.orderId);
      if (!timeline) throw new NotFoundError('Order not found');
      res.json(timeline);
    },
);
