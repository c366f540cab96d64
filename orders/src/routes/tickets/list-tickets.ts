import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { OrdersContext } from '../../context';
import { toTicketResponse } from '../../models/ticket';
import { readPageRequest, sendPage } from '@ticketing/common';
import { pageQuery } from '../list-page';

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
    // PostgreSQL text cannot hold NUL: the query would fail (a 500) instead of the request (a 400).
    .refine((q) => !q.includes('\u0000'), { error: 'q must not contain NUL' })
    .optional()
    .describe('only tickets whose title contains this, ignoring case (% and _ match themselves)'),
});

/** A LIKE pattern matching `text` anywhere, its wildcards and escape character taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

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
    if (page.q) query = query.where(sql<boolean>`title ilike ${containsPattern(page.q)} escape '\\'`);
    if (page.after) {
      query = query.where(sql<boolean>`(created_at, id) < (${page.after.createdAt}, ${page.after.id}::uuid)`);
    }
    sendPage(req, res, await query.execute(), page, toTicketResponse);
  });
}
