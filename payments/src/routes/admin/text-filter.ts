import { z } from 'zod';

/**
 * A free-text filter compared in SQL. PostgreSQL text cannot hold NUL: one would fail the query, a 500,
 * where the client deserves a 400 naming the field.
 */
export function textFilter(field: string, maxLength: number) {
  const error = `${field} must be 1 to ${maxLength} characters`;
  return z
    .string({ error })
    .min(1, { error })
    .max(maxLength, { error })
    .refine((value) => !value.includes('\u0000'), { error: `${field} must not contain NUL` });
}
