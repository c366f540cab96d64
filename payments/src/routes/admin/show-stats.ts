import { declareRoute } from '@ticketing/service';
import type { PaymentsContext } from '../../context';
import { attemptStats, attemptStatsResponse } from '../../reporting/attempt-stats';
import { MAX_BUCKETS, statsQuery, statsWindow } from './stats-query';

export const showStatsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/stats',
    summary: 'Admin: attempts, success rate and declines per hour or day, counted by the server',
    access: 'admin',
    query: statsQuery,
    responses: {
      200: {
        description:
          'Attempts created in [from, to) (the last 7 days by default), per UTC hour or day and in total. ' +
          'successRate = succeeded / (succeeded + failed): only finished attempts count; pending, 3-D Secure ' +
          'and canceled (withdrawn by us) ones do not; null when none finished. declines: failed attempts by ' +
          "Stripe's decline code, or its error code when there is none.",
        body: attemptStatsResponse,
      },
    },
    errors: { 400: `Invalid from, to or bucket, from after to, or more than ${MAX_BUCKETS} buckets` },
  },
  ({ db }: PaymentsContext) =>
    async ({ query }, _req, res) => {
      res.json(await attemptStats(db, statsWindow(query, new Date())));
    },
);
