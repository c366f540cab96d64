import { decodeCursor, encodeCursor, RequestValidationError, type KeysetPosition } from '@ticketing/common';
import type { Request, Response } from 'express';
import { z } from 'zod';

/** How many rows an admin list returns at most. */
export const pageLimit = z.coerce
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(500, { error: 'limit must be at most 500' })
  .default(100)
  .describe('page size, 100 by default');

/** `limit` and the `after` cursor of a keyset-paginated admin list (newest first). */
export const adminPageFields = {
  limit: pageLimit,
  after: z.string().optional().describe('the cursor in the rel="next" Link header of the previous page'),
};

/** The parsed query with `after` decoded: a cursor this API did not issue is a 400 on `after`. */
export function withDecodedCursor<Query extends { after?: string }>(
  query: Query,
): Omit<Query, 'after'> & { after?: KeysetPosition } {
  if (query.after === undefined) return { ...query, after: undefined };
  const after = decodeCursor(query.after);
  if (!after) {
    throw new RequestValidationError([{ message: 'after is not a cursor this API issued', field: 'after' }]);
  }
  return { ...query, after };
}

/**
 * Sends one page as a JSON array, with a `Link: <...>; rel="next"` header (RFC 8288) when there is more.
 * `rows` holds one row more than the page when there is more: the query asks for `limit + 1`.
 */
export function sendAdminPage<Row extends { created_at: Date; id: string }, Item>(
  req: Request,
  res: Response,
  rows: Row[],
  limit: number,
  present: (row: Row) => Item,
): void {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  if (rows.length > limit && last) {
    const next = new URL(req.originalUrl, 'http://placeholder');
    next.searchParams.set('after', encodeCursor({ createdAt: last.created_at, id: last.id }));
    res.links({ next: `${next.pathname}${next.search}` });
  }
  res.json(items.map(present));
}
