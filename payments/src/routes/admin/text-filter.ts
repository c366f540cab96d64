import { z } from 'zod';

/** A free-text filter compared in SQL (control characters are refused before any schema runs). */
export function textFilter(field: string, maxLength: number) {
  const error = `${field} must be 1 to ${maxLength} characters`;
  return z.string({ error }).min(1, { error }).max(maxLength, { error });
}
