import { z } from 'zod';

/**
 * Where a page of a list ends, as an opaque string: the sort key (creation time, then id) of its last item.
 * The next page starts strictly after it, so inserts between requests neither repeat nor skip rows.
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

const position = z.object({ t: z.iso.datetime(), i: z.uuid() });

/**
 * The cursor of a position: opaque to clients, so that the sort key can change without breaking them.
 *
 * @example
 * const after = encodeCursor({ createdAt: last.created_at, id: last.id }); // 'eyJ0Ijoi...'
 */
export function encodeCursor({ createdAt, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), i: id })).toString('base64url');
}

/**
 * The position a cursor stands for, or undefined when it is not one this API issued.
 *
 * @example
 * const position = decodeCursor(req.query.after as string);
 * if (!position) throw new RequestValidationError([{ field: 'after', message: 'not a cursor' }]);
 */
export function decodeCursor(cursor: string): KeysetPosition | undefined {
  try {
    const parsed = position.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.i } : undefined;
  } catch {
    return undefined;
  }
}
