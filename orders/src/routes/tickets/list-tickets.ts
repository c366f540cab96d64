import { declareRoute, sendPage } from '@ticketing/service';
import { sql } from 'kysely';
import { z } from 'zod';
import type { OrdersContext } from '../../context';
import { ticketResponse, toTicketResponse } from '../../models/ticket';
import { nextPageHeader, pageQuery } from '../list-page';

const searchError = 'q must be 1 to 100 characters, not counting spaces around it';

export const listTicketsQuery = pageQuery.extend({
  available: z
    .enum(['true', 'false'], { error: 'available must be true or false' })
    .optional()
    .describe('true: only tickets no order holds'),
  q: z
    .string({ error: searchError })
    .trim()
    .min(1, { error: searchError })
    .max(100, { error: searchError })
    .optional()
    .describe('only tickets whose title contains this, ignoring case (% and _ match themselves)'),
});

/** A LIKE pattern matching `text` anywhere, its wildcards and escape character taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

export const listTicketsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/tickets',
    summary: 'List tickets, newest first; q searches titles (the Link header keeps it)',
    query: listTicketsQuery,
    responses: {
      200: { description: 'A page of tickets', body: z.array(ticketResponse), headers: nextPageHeader },
    },
  },
  ({ db }: OrdersContext) =>
    async ({ query: page }, req, res) => {
      let query = db
        .selectFrom('tickets')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (page.available === 'true') query = query.where('order_id', 'is', null);
      if (page.q) query = query.where(sql<boolean>`title ilike ${containsPattern(page.q)} escape '\\'`);
      if (page.after) {
        query = query.where(
          sql<boolean>`(created_at, id) < (${page.after.createdAt}, ${page.after.id}::uuid)`,
        );
      }
      sendPage(req, res, await query.execute(), page, toTicketResponse);
    },
);
