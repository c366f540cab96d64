import { declareRoute, sendPage } from '@ticketing/service';
import { z } from 'zod';
import type { PaymentsContext } from '../../context';
import { adminAttemptResponse, findAttempts, toAdminAttemptResponse } from '../../reporting/attempt-ledger';
import { attemptsQuery, nextPageHeader } from './admin-queries';

export const listAttemptsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/attempts',
    summary: 'Admin: the attempt ledger, newest first, a page at a time',
    access: 'admin',
    query: attemptsQuery,
    responses: {
      200: {
        description: 'A page of attempts',
        body: z.array(adminAttemptResponse),
        headers: nextPageHeader,
      },
    },
  },
  ({ db }: PaymentsContext) =>
    async ({ query }, req, res) => {
      sendPage(req, res, await findAttempts(db, query), query, toAdminAttemptResponse);
    },
);
