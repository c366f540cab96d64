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

export function encodeCursor({ createdAt, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), i: id })).toString('base64url');
}

/** The position a cursor stands for, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): KeysetPosition | undefined {
  try {
    const parsed = position.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.i } : undefined;
  } catch {
    return undefined;
  }
}
