import { declareRoute } from '@ticketing/service';
import type { PaymentsContext } from '../../context';
import { stuckItems, stuckItemsResponse } from '../../reconciliation/stuck-items';

export const showStuckItemsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/admin/stuck',
    summary: 'Admin: what the sweep has not finished yet, and how long the oldest of each kind has waited',
    access: 'admin',
    responses: { 200: { description: 'Counts and ages', body: stuckItemsResponse } },
  },
  ({ db }: PaymentsContext) =>
    async (_input, _req, res) => {
      res.json(await stuckItems(db));
    },
);
