import { declareRoute, sendPage } from '@ticketing/service';
import { z } from 'zod';
import type { PaymentsContext } from '../../context';
import { adminPaymentResponse, findPayments, toAdminPaymentResponse } from '../../reporting/payment-ledger';
import { nextPageHeader, paymentsQuery } from './admin-queries';

export const listPaymentsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/payments',
    summary: 'Admin: payments, newest first, a page at a time',
    access: 'admin',
    query: paymentsQuery,
    responses: {
      200: {
        description: 'A page of payments',
        body: z.array(adminPaymentResponse),
        headers: nextPageHeader,
      },
    },
  },
  ({ db }: PaymentsContext) =>
    async ({ query }, req, res) => {
      sendPage(req, res, await findPayments(db, query), query, (row) =>
        toAdminPaymentResponse(row, row.buyer_id),
      );
    },
);
