import { authenticatedUser, requireAuth } from '@ticketing/common';
import { Router } from 'express';
import { sql } from 'kysely';
import type { OrdersContext } from '../../context';
import { toOrderResponse } from '../../models/order';
import { selectOrdersWithTickets, splitOrderWithTicket } from '../../models/orders-with-tickets';
import { readPageRequest, sendPage } from '@ticketing/common';
import { pageQuery } from '../list-page';

/** The caller's orders, newest first, each with its ticket, in one query. */
export function listOrdersRouter({ db }: OrdersContext): Router {
  return Router().get('/api/orders', requireAuth, async (req, res) => {
    const page = readPageRequest(pageQuery, req.query);
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
  });
}
