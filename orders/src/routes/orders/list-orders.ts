import { authenticatedUser, declareRoute, sendPage } from '@ticketing/service';
import { sql } from 'kysely';
import { z } from 'zod';
import type { OrdersContext } from '../../context';
import { orderResponse, toOrderResponse } from '../../models/order';
import { selectOrdersWithTickets, splitOrderWithTicket } from '../../models/orders-with-tickets';
import { nextPageHeader, pageQuery } from '../list-page';

/** The caller's orders, newest first, each with its ticket, in one query. */
export const listOrdersRoute = declareRoute(
  {
    method: 'get',
    path: '/api/orders',
    summary: 'Your orders, newest first',
    access: 'user',
    query: pageQuery,
    responses: {
      200: { description: 'A page of orders', body: z.array(orderResponse), headers: nextPageHeader },
    },
  },
  ({ db }: OrdersContext) =>
    async ({ query: page }, req, res) => {
      let query = selectOrdersWithTickets(db)
        .where('orders.user_id', '=', authenticatedUser(req).id)
        .orderBy('orders.created_at', 'desc')
        .orderBy('orders.id', 'desc')
        .limit(page.limit + 1);
      if (page.after) {
        query = query.where(
          sql<boolean>`(orders.created_at, orders.id) < (${page.after.createdAt}, ${page.after.id}::uuid)`,
        );
      }
      sendPage(req, res, await query.execute(), page, (row) => {
        const { order, ticket } = splitOrderWithTicket(row);
        return toOrderResponse(order, ticket);
      });
    },
);
