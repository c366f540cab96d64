import { declareRoute } from '@ticketing/service';
import { z } from 'zod';
import type { PaymentsContext } from '../../context';
import { refundResponse, toRefundResponse } from '../../models/refund';
import { refundsQuery } from './admin-queries';

export const listRefundsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/refunds',
    summary: 'Admin: refunds, newest first (status=failed: the ones to look at)',
    access: 'admin',
    query: refundsQuery,
    responses: { 200: { description: 'Refunds', body: z.array(refundResponse) } },
  },
  ({ db }: PaymentsContext) =>
    async ({ query: filters }, _req, res) => {
      let query = db.selectFrom('refunds').selectAll().orderBy('created_at', 'desc').limit(filters.limit);
      if (filters.status) query = query.where('status', '=', filters.status);
      if (filters.paymentId) query = query.where('payment_id', '=', filters.paymentId);
      res.json((await query.execute()).map(toRefundResponse));
    },
);
