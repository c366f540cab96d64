import { z } from 'zod';

const instant = (field: 'from' | 'to', description: string) =>
  z.iso
    .datetime({
      offset: true,
      error: `${field} must be an ISO 8601 date-time with a time zone, such as 2026-01-31T00:00:00Z`,
    })
    .transform((value) => new Date(value))
    .optional()
    .describe(description);

/** `from` and `to` on created_at: from inclusive, to exclusive, so that consecutive windows do not overlap. */
export const timeWindowFields = {
  from: instant('from', 'created at or after this instant (ISO 8601 with Z or an offset; encode + as %2B)'),
  to: instant('to', 'created before this instant'),
};

/** Refinement for a query with `timeWindowFields`: a window ending before it starts is a 400 on `from`. */
export function windowInOrder(query: { from?: unknown; to?: unknown }, ctx: z.RefinementCtx): void {
  // Either may still be the raw string when its own check failed: only two parsed instants are compared.
  if (query.from instanceof Date && query.to instanceof Date && query.from > query.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  }
}
