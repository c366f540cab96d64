import type { Request, Response } from 'express';
import { z } from 'zod';
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
    after: z
      .string()
      .transform((cursor, context): KeysetPosition => {
        const position = decodeCursor(cursor);
        if (position) return position;
        context.addIssue({ code: 'custom', message: 'after is not a cursor this API issued' });
        return z.NEVER;
      })
      .optional()
      .describe('the cursor in the rel="next" Link header of the previous page'),
  };
}

/** A page asked for: its size, and where the previous page ended. */
export interface PageRequest {
  limit: number;
  after?: KeysetPosition;
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
