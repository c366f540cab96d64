import { z } from 'zod';
import { errorResponse } from './error-response';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented response of an operation. */
export interface ApiResponse {
  description: string;
  /** Omitted for an empty body. */
  body?: z.ZodType;
  /** A text/event-stream body instead: each event's name, and the schema of the JSON in its `data`. */
  events?: Record<string, z.ZodType>;
  headers?: Record<string, string>;
}

/** One route, described with the same zod schemas the route validates and answers with. */
export interface ApiOperation {
  method: Method;
  /** OpenAPI template: `/api/tickets/{id}`. */
  path: string;
  summary: string;
  /** What the summary cannot say in a line. */
  description?: string;
  /** Needs a bearer token or session cookie. */
  authenticated?: boolean;
  /** The path's parameters; each is a string when not given. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: Record<string, { description: string; required?: boolean }>;
  requestBody?: z.ZodType;
  /** Success responses; error responses are added from `errors`. */
  responses: Record<number, ApiResponse>;
  errors?: Record<number, string>;
}

/** What `buildOpenApiDocument` makes a document of: the API's title, version and operations. */
export interface ApiDescription {
  title: string;
  version: string;
  description: string;
  operations: ApiOperation[];
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
};

function pathParameters(path: string, params: z.ZodObject | undefined) {
  const schemas = params
    ? ((jsonSchema(params, 'input') as { properties?: Record<string, object> }).properties ?? {})
    : {};
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: schemas[name as string] ?? { type: 'string' },
  }));
}

function queryParameters(query: z.ZodObject | undefined) {
  if (!query) return [];
  const schema = jsonSchema(query, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/**
 * A text/event-stream body. OpenAPI 3.2 describes one with an item schema per event (its name, id and
 * data); 3.1 has no place for that, so it is the items of an array here. `data` holds JSON of the schema.
 */
function eventStreamSchema(events: Record<string, z.ZodType>) {
  return {
    type: 'array',
    description: 'Server-Sent Events, one item per event; comment lines (heartbeats) are not events',
    items: {
      oneOf: Object.entries(events).map(([event, data]) => ({
        type: 'object',
        required: ['event', 'data'],
        properties: {
          event: { const: event },
          id: { type: 'string' },
          data: {
            type: 'string',
            contentMediaType: 'application/json',
            contentSchema: jsonSchema(data, 'output'),
          },
        },
      })),
    },
  };
}

function responseObject(response: ApiResponse) {
  return {
    description: response.description,
    ...(response.headers && {
      headers: Object.fromEntries(
        Object.entries(response.headers).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      ),
    }),
    ...(response.body && {
      content: { 'application/json': { schema: jsonSchema(response.body, 'output') } },
    }),
    ...(response.events && {
      content: { 'text/event-stream': { schema: eventStreamSchema(response.events) } },
    }),
  };
}

/**
 * An OpenAPI 3.1 document generated from the routes' own schemas, so it cannot drift from the code.
 * `declareApi` calls it with every declared route.
 *
 * @example
 * const document = buildOpenApiDocument({
 *   title: 'Ticketing: orders',
 *   version: '1.0.0',
 *   description: 'Tickets and orders',
 *   operations: routes.map((route) => route.operation),
 * });
 */
export function buildOpenApiDocument({ title, version, description, operations }: ApiDescription) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const errors = Object.fromEntries(
      Object.entries({
        ...(operation.authenticated ? { 401: 'No valid token' } : {}),
        ...operation.errors,
      }).map(([status, errorDescription]) => [
        status,
        responseObject({ description: errorDescription, body: errorResponse }),
      ]),
    );
    const successes = Object.fromEntries(
      Object.entries(operation.responses).map(([status, response]) => [status, responseObject(response)]),
    );
    const headerParameters = Object.entries(operation.headers ?? {}).map(([name, header]) => ({
      name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    }));
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, unknown>)[operation.method] = {
      summary: operation.summary,
      ...(operation.description && { description: operation.description }),
      ...(operation.authenticated && { security: [{ bearer: [] }, { session: [] }] }),
      parameters: [
        ...pathParameters(operation.path, operation.params),
        ...queryParameters(operation.query),
        ...headerParameters,
      ],
      ...(operation.requestBody && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(operation.requestBody, 'input') } },
        },
      }),
      responses: {
        ...successes,
        ...errors,
        500: responseObject({ description: 'Unexpected error', body: errorResponse }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version, description },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description: 'cookie-session JSON { "jwt": ... }, base64',
        },
      },
    },
    paths,
  };
}

/** A generated document, as served at a service's `openapi.json` and read by `OpenApiValidator`. */
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
