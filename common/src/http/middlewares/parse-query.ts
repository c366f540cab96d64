import type { z } from 'zod';
import { RequestValidationError } from '../errors/request-validation-error';

/** Reads a query string with a zod schema (the one the OpenAPI document shows); a bad one is a 400 per field. */
export function parseQuery<Schema extends z.ZodObject>(schema: Schema, query: unknown): z.infer<Schema> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw new RequestValidationError(
    result.error.issues.map((issue) => ({ message: issue.message, field: String(issue.path[0] ?? 'query') })),
  );
}
