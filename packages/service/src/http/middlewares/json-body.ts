import express, { type Request, type RequestHandler } from 'express';
import { BadRequestError } from '../errors/bad-request-error';
import { HttpError } from '../errors/http-error';

const LIMIT = '100kb';

/**
 * How deep a body may nest. Ours are a few levels deep and Stripe's events fewer than ten. Parsing a
 * deeper one is safe, but the code that walks it afterwards (JSON.stringify for an idempotency hash, a
 * validator) recurses, and a 100 kB body of brackets is 50,000 levels: enough to overflow the stack.
 */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed body nests deeper than `limit`; walked without recursion, so any depth is safe. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[value: unknown, depth: number]> = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** A request with a body at all: `Content-Length: 0`, what a client sends for a POST without one, is none. */
function carriesBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * What the client is told when body-parser could not read its body. Every failure is the request's: an
 * encoding or charset we do not decode, too many bytes, a body that is not what its Content-Encoding
 * says (zlib's error comes without a `type`), a Content-Length the body does not match. Only
 * body-parser's own 5xx (a stream misused by us) stays a 500.
 */
function unreadable(error: unknown): unknown {
  const { status, type } = (error ?? {}) as { status?: number; type?: string };
  if (status !== undefined && status >= 500) return error;
  switch (type) {
    case 'entity.too.large':
      return new HttpError(413, `Request body is too large (at most ${LIMIT})`);
    case 'encoding.unsupported':
      return new HttpError(415, 'Content-Encoding of the request body is not supported');
    case 'charset.unsupported':
      return new HttpError(415, 'Charset of the request body is not supported; send UTF-8');
    case 'entity.parse.failed':
      return new BadRequestError('Request body is not valid JSON');
    default:
      return new BadRequestError('Request body could not be read');
  }
}

/**
 * Parses JSON bodies, keeping the raw bytes for signature checks (Stripe's webhook). The API takes nothing
 * but JSON: a body of another type is refused with 415 rather than dropped, which would leave the handler
 * answering as if the fields were missing. Every body the client got wrong is a 4xx in the API's error
 * shape.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({
    limit: LIMIT,
    verify: (req, _res, buffer) => {
      (req as Request).rawBody = buffer;
    },
  });
  return (req, res, next) => {
    const parsed = (error?: unknown) => {
      if (error) next(unreadable(error));
      else if (req.body === undefined && carriesBody(req))
        next(new HttpError(415, 'Request body must be JSON (Content-Type: application/json)'));
      else if (nestsDeeperThan(req.body, MAX_BODY_DEPTH))
        next(new BadRequestError(`Request body nests deeper than ${MAX_BODY_DEPTH} levels`));
      else next();
    };
    parse(req, res, parsed);
  };
}
