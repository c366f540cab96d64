import type { Request, RequestHandler, Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CommonTables } from '../../database/common-tables';
import { IDEMPOTENCY_KEY_HEADER, idempotency } from '../middlewares/idempotency';
import { requireAdmin } from '../middlewares/require-admin';
import { requireAuth } from '../middlewares/require-auth';
import type { ApiOperation } from '../openapi/openapi-document';
import { readRouteInput, type InputSchemas, type RouteInput } from './route-input';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Everything a route takes and answers, in one place: the router validates requests with these schemas and
 * the OpenAPI document is generated from them, so the two cannot drift apart.
 */
export interface RouteContract extends InputSchemas {
  method: Method;
  /** Express form: `/api/tickets/:id`. */
  path: string;
  summary: string;
  description?: string;
  /** Who may call it: anyone (the default), a signed-in user, or an admin. */
  access?: 'public' | 'user' | 'admin';
  /** Takes an Idempotency-Key (a retry gets the first answer); `required` where a retry could move money. */
  idempotency?: 'optional' | 'required';
  /** Success responses; error responses come from `errors`. */
  responses: ApiOperation['responses'];
  errors?: Record<number, string>;
}

/** A route's handler: the input parsed by the contract's schemas, then express's request and response. */
export type RouteHandler<Contract extends RouteContract> = (
  input: RouteInput<Contract>,
  req: Request,
  res: Response,
) => Promise<void> | void;

/** A route with its contract: mounted with a service's context, and described in its OpenAPI document. */
export interface DeclaredRoute<Context> {
  contract: RouteContract;
  operation: ApiOperation;
  /** Adds the route to `router`, its handler made with `context`. */
  mount(router: Router, context: Context): void;
}

const IDEMPOTENCY_HEADER = IDEMPOTENCY_KEY_HEADER.toLowerCase();

/** The contract's headers, with the Idempotency-Key when it takes one. */
function headerSchema(contract: RouteContract): z.ZodObject | undefined {
  if (!contract.idempotency) return contract.headers;
  const key = z
    .string({ error: `${IDEMPOTENCY_KEY_HEADER} is required, so that a retry does the work once` })
    .min(1)
    .max(255, { error: `${IDEMPOTENCY_KEY_HEADER} must be at most 255 characters` })
    .describe('a retry with the same key gets the first answer and repeats nothing');
  return (contract.headers ?? z.object({})).extend({
    [IDEMPOTENCY_HEADER]: contract.idempotency === 'required' ? key : key.optional(),
  });
}

/** `content-type` as HTTP writes it: `Content-Type`. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

function describeHeaders(headers: z.ZodObject | undefined): ApiOperation['headers'] {
  if (!headers) return undefined;
  return Object.fromEntries(
    Object.entries(headers.shape).map(([name, schema]) => [
      headerName(name),
      { description: schema.description ?? '', required: !schema.safeParse(undefined).success },
    ]),
  );
}

function operationOf(contract: RouteContract, headers: z.ZodObject | undefined): ApiOperation {
  const takesInput = contract.params ?? contract.query ?? headers ?? contract.body;
  const errors: Record<number, string> = {};
  if (takesInput) errors[400] = 'Invalid input: one error per field';
  if (contract.access === 'admin') errors[403] = 'Admin role required';
  if (contract.idempotency) {
    errors[409] = `A request with this ${IDEMPOTENCY_KEY_HEADER} is still running`;
    errors[422] = `${IDEMPOTENCY_KEY_HEADER} reused with another request`;
  }
  return {
    method: contract.method,
    path: contract.path.replace(/:(\w+)/g, '{$1}'),
    summary: contract.summary,
    description: contract.description,
    authenticated: (contract.access ?? 'public') !== 'public',
    params: contract.params,
    query: contract.query,
    headers: describeHeaders(headers),
    requestBody: contract.body,
    responses: contract.responses,
    errors: { ...errors, ...contract.errors },
  };
}

/**
 * Declares a route by its contract. Requests are checked in this order: who is calling (401, 403), the
 * Idempotency-Key (a replay answers at once), then every input against its schema (one 400 listing each
 * field at fault); only then does the handler run, with the parsed input.
 *
 * @example
 * export const showTicket = declareRoute(
 *   {
 *     method: 'get',
 *     path: '/api/tickets/:id',
 *     summary: 'Show a ticket',
 *     params: z.object({ id: z.uuid({ error: 'id must be a UUID' }) }),
 *     responses: { 200: { description: 'The ticket', body: ticketResponse } },
 *     errors: { 404: 'No such ticket' },
 *   },
 *   ({ db }: OrdersContext) =>
 *     async ({ params }, _req, res) => {
 *       res.json(toTicketResponse(await findTicket(db, params.id)));
 *     },
 * );
 */
export function declareRoute<Context extends { db: unknown }, Contract extends RouteContract>(
  contract: Contract,
  handler: (context: Context) => RouteHandler<Contract>,
): DeclaredRoute<Context> {
  const headers = headerSchema(contract);
  const schemas: InputSchemas = {
    params: contract.params,
    query: contract.query,
    headers,
    body: contract.body,
  };
  return {
    contract,
    operation: operationOf(contract, headers),
    mount(router, context) {
      const handle = handler(context);
      const access: RequestHandler[] =
        contract.access === 'admin' ? [requireAdmin] : contract.access === 'user' ? [requireAuth] : [];
      const replay: RequestHandler[] = contract.idempotency
        ? [idempotency(context.db as unknown as Kysely<CommonTables>)]
        : [];
      router[contract.method](contract.path, ...access, ...replay, async (req: Request, res: Response) => {
        await handle(readRouteInput(schemas, req) as RouteInput<Contract>, req, res);
      });
    },
  };
}
