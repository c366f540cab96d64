import {
  decodeCursor,
  encodeCursor,
  parseQuery,
  RequestValidationError,
  type KeysetPosition,
} from '@ticketing/common';
import type { Request, Response } from 'express';
import { z } from 'zod';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** The query of a paginated list: `?limit=` and the `after` cursor from the previous page's Link header. */
export const pageQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: `limit must be from 1 to ${MAX_PAGE_SIZE}` })
    .max(MAX_PAGE_SIZE, { error: `limit must be from 1 to ${MAX_PAGE_SIZE}` })
    .default(DEFAULT_PAGE_SIZE)
    .describe(`page size, ${DEFAULT_PAGE_SIZE} by default`),
  after: z.string().optional().describe('the cursor in the rel="next" Link header of the previous page'),
});

export interface PageRequest {
  limit: number;
  after?: KeysetPosition;
}

export function readPageRequest<Schema extends typeof pageQuery>(schema: Schema, query: unknown) {
  const parsed = parseQuery(schema, query);
  const after = parsed.after === undefined ? undefined : decodeCursor(parsed.after);
  if (parsed.after !== undefined && !after) {
    throw new RequestValidationError([{ message: 'after is not a cursor this API issued', field: 'after' }]);
  }
  return { ...parsed, after } as Omit<z.infer<Schema>, 'after'> & PageRequest;
}

/**
 * Sends one page as a plain JSON array (the shape the course's clients expect) and, when there is more,
 * a `Link: <...>; rel="next"` header (RFC 8288) for the next page. `rows` holds one row more than the
 * page when there is more.
 */
export function sendPage<Row extends { created_at: Date; id: string }, Item>(
  req: Request,
  res: Response,
  rows: Row[],
  page: PageRequest,
  present: (row: Row) => Item,
): void {
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  if (rows.length > page.limit && last) {
    const next = new URL(req.originalUrl, 'http://placeholder');
    next.searchParams.set('limit', String(page.limit));
    next.searchParams.set('after', encodeCursor({ createdAt: last.created_at, id: last.id }));
    res.links({ next: `${next.pathname}${next.search}` });
  }
  res.json(items.map(present));
}
