import type { Request } from 'express';
import { z } from 'zod';
import type { ErrorItem as FieldError } from '../errors/http-error';
import { RequestValidationError } from '../errors/request-validation-error';

/** What a route reads from a request, each part described by a zod schema in the route's contract. */
export interface InputSchemas {
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Lower-case header names. */
  headers?: z.ZodObject;
  body?: z.ZodType;
}

type Parsed<Schema> = Schema extends z.ZodType ? z.output<Schema> : undefined;

/** The request's parts as the route's schemas parsed them. */
export interface RouteInput<Schemas extends InputSchemas> {
  params: Parsed<Schemas['params']>;
  query: Parsed<Schemas['query']>;
  headers: Parsed<Schemas['headers']>;
  body: Parsed<Schemas['body']>;
}

/**
 * C0 controls and DEL, but for tab, line feed and carriage return: PostgreSQL refuses NUL in text, and none
 * of them belongs in a name, a code or a header.
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function fieldName(path: readonly PropertyKey[], part: string): string {
  return path.length === 0 ? part : path.map(String).join('.');
}

/** Every string in the value that holds a control character, as field errors. */
function controlCharacters(value: unknown, part: string, path: PropertyKey[] = []): FieldError[] {
  if (typeof value === 'string') {
    return CONTROL_CHARACTER.test(value)
      ? [
          {
            field: fieldName(path, part),
            message: `${fieldName(path, part)} must not contain control characters`,
          },
        ]
      : [];
  }
  if (Array.isArray(value))
    return value.flatMap((item, index) => controlCharacters(item, part, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => controlCharacters(item, part, [...path, key]));
  }
  return [];
}

/** A parameter given twice (`?a=1&a=2`) where the schema takes one value: refused rather than guessed at. */
function repeated(query: Record<string, unknown>, schema: z.ZodObject): FieldError[] {
  return Object.entries(query)
    .filter(([name, value]) => Array.isArray(value) && schema.shape[name]?.safeParse(value).success !== true)
    .map(([name]) => ({ field: name, message: `${name} must be given once` }));
}

function parse(
  schema: z.ZodType | undefined,
  value: unknown,
  part: string,
): { value: unknown; errors: FieldError[] } {
  if (!schema) return { value: undefined, errors: [] };
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data, errors: [] };
  return {
    value: undefined,
    errors: result.error.issues.map((issue) => ({
      field: fieldName(issue.path, part),
      message: issue.message,
    })),
  };
}

function onePerField(errors: FieldError[]): FieldError[] {
  const seen = new Set<string | undefined>();
  return errors.filter((error) => !seen.has(error.field) && seen.add(error.field));
}

/**
 * Reads a request's params, query, headers and body with the route's schemas, after refusing control
 * characters and repeated parameters. Every problem becomes a field error of one 400, so the client sees
 * them all at once; nothing the schemas did not accept reaches the handler, or the database.
 *
 * @example
 * const input = readRouteInput({ params: z.object({ id: z.uuid() }) }, req); // input.params.id is a UUID
 */
export function readRouteInput<Schemas extends InputSchemas>(
  schemas: Schemas,
  req: Request,
): RouteInput<Schemas> {
  const headers = schemas.headers
    ? Object.fromEntries(Object.keys(schemas.headers.shape).map((name) => [name, req.headers[name]]))
    : {};
  const query = (req.query ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [
    ...controlCharacters(req.params, 'params'),
    ...controlCharacters(schemas.query ? query : {}, 'query'),
    ...controlCharacters(headers, 'headers'),
    ...controlCharacters(schemas.body ? req.body : undefined, 'body'),
    ...(schemas.query ? repeated(query, schemas.query) : []),
  ];
  if (errors.length > 0) throw new RequestValidationError(onePerField(errors));
  const params = parse(schemas.params, req.params, 'params');
  const parsedQuery = parse(schemas.query, query, 'query');
  const parsedHeaders = parse(schemas.headers, headers, 'headers');
  const body = parse(schemas.body, req.body, 'body');
  const problems = [...params.errors, ...parsedQuery.errors, ...parsedHeaders.errors, ...body.errors];
  if (problems.length > 0) throw new RequestValidationError(onePerField(problems));
  return {
    params: params.value,
    query: parsedQuery.value,
    headers: parsedHeaders.value,
    body: body.value,
  } as RouteInput<Schemas>;
}
