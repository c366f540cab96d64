import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { OrdersContext } from '../../context';
import { toTicketResponse } from '../../models/ticket';
import { pageQuery, readPageRequest, sendPage } from '../list-page';

export const listTicketsQuery = pageQuery.extend({
  available: z
    .enum(['true', 'false'], { error: 'available must be true or false' })
    .optional()
    .describe('true: only tickets no order holds'),
});

export function listTicketsRouter({ db }: OrdersContext): Router {
  return Router().get('/api/tickets', async (req, res) => {
    const page = readPageRequest(listTicketsQuery, req.query);
    let query = db
      .selectFrom('tickets')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (page.available === 'true') query = query.where('order_id', 'is', null);
    if (page.after) {
      query = query.where(sql<boolean>`(created_at, id) < (${page.after.createdAt}, ${page.after.id}::uuid)`);
    }
    sendPage(req, res, await query.execute(), page, toTicketResponse);
  });
}
