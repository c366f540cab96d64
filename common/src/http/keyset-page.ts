import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequestValidationError } from './errors/request-validation-error';
import { parseQuery } from './middlewares/parse-query';
import { decodeCursor, encodeCursor, type KeysetPosition } from './keyset-cursor';

/**
 * The `limit` and `after` query fields of a list paginated newest first by (created_at, id), to spread into
 * the list's zod query schema (which then also documents them in OpenAPI).
 *
 * @example
 * const listQuery = z.object({ ...pageFields({ defaultSize: 20, maxSize: 100 }), status: z.string().optional() });
 */
export function pageFields({ defaultSize, maxSize }: { defaultSize: number; maxSize: number }) {
  const range = `limit must be from 1 to ${maxSize}`;
  return {
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int({ error: 'limit must be a whole number' })
      .min(1, { error: range })
      .max(maxSize, { error: range })
      .default(defaultSize)
      .describe(`page size, ${defaultSize} by default, at most ${maxSize}`),
    after: z.string().optional().describe('the cursor in the rel="next" Link header of the previous page'),
  };
}

/** A page asked for: its size, and where the previous page ended. */
export interface PageRequest {
  limit: number;
  after?: KeysetPosition;
}

/**
 * Parses a list's query with its schema (400 with field errors) and decodes the `after` cursor: a cursor
 * this API did not issue is a 400 on `after`.
 *
 * @example
 * const page = readPageRequest(listQuery, req.query); // { limit: 20, after?: { createdAt, id }, status? }
 */
export function readPageRequest<Schema extends z.ZodObject>(
  schema: Schema,
  query: unknown,
): Omit<z.infer<Schema>, 'after'> & PageRequest {
  const { after: cursor, ...parsed } = parseQuery(schema, query) as z.infer<Schema> & { after?: string };
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !after) {
    throw new RequestValidationError([{ message: 'after is not a cursor this API issued', field: 'after' }]);
  }
  return { ...(parsed as Omit<z.infer<Schema>, 'after'> & { limit: number }), after };
}

/**
 * Sends one page as a plain JSON array (the shape the course's clients expect) and, when there is more, a
 * `Link: <...>; rel="next"` header (RFC 8288) to the next page. `rows` holds one row more than the page when
 * there is more: ask the database for `limit + 1`.
 *
 * @example
 * sendPage(req, res, await query.limit(page.limit + 1).execute(), page, toTicketResponse);
 */
export function sendPage<Row extends { created_at: Date; id: string }, Item>(
  req: Request,
  res: Response,
  rows: Row[],
  page: { limit: number },
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
