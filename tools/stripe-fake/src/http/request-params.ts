import type { Request } from 'express';
import { FormBodyError, parseFormBody, type FormObject } from '../form-body';
import { Params } from '../params';
import { StripeError } from '../stripe-error';

/** Stripe's parameters: the query string of a GET, the form-encoded body of a POST. */
export function readApiParams(req: Request): FormObject {
  return parseForm(req.method === 'GET' ? queryString(req) : bodyText(req));
}

/** The fake's own endpoints take JSON as well as form bodies, whichever is handier for the caller. */
export function readControlParams(req: Request): Params {
  if (!req.is('application/json')) return new Params(parseForm(bodyText(req)));
  let body: unknown;
  try {
    body = JSON.parse(bodyText(req) || '{}');
  } catch {
    throw StripeError.invalidRequest('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw StripeError.invalidRequest('The request body must be a JSON object.');
  }
  return new Params(body as Record<string, unknown>);
}

function parseForm(text: string): FormObject {
  try {
    return parseFormBody(text);
  } catch (error) {
    if (error instanceof FormBodyError) throw StripeError.invalidRequest(error.message);
    throw error;
  }
}

/** The full path, without the query string, however the app's routers are mounted. */
export function requestPath(req: Request): string {
  return req.originalUrl.split('?')[0] ?? '';
}

function queryString(req: Request): string {
  const start = req.originalUrl.indexOf('?');
  return start === -1 ? '' : req.originalUrl.slice(start + 1);
}

/** The app reads every body as text (see create-app); a request without one has no string body. */
function bodyText(req: Request): string {
  return typeof req.body === 'string' ? req.body : '';
}

/** The `:id` of a route such as `/payment_intents/:id`. */
export function pathId(req: Request): string {
  const id = req.params['id'];
  return typeof id === 'string' ? id : '';
}
