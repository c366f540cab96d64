import type { Response } from 'express';

/** An answer as it went out, to be sent again byte for byte to a retry with the same Idempotency-Key. */
export interface KeptAnswer {
  status: number;
  /** The headers a replay repeats, by lower-case name. */
  headers: Record<string, string>;
  /** The body's bytes; null when the answer had none. */
  body: Buffer | null;
}

/** What a retry needs besides the body: how to read it, and where the created resource is. */
const KEPT_HEADERS = ['content-type', 'location'];

/** The answer `res` is sending, with its body's bytes. */
export function answerOf(res: Response, body: Buffer | null): KeptAnswer {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status: res.statusCode, headers, body };
}

/** A route's answer as JSON, serialized once so that the bytes sent are the bytes kept. */
export function jsonAnswer({
  status,
  body,
  location,
}: {
  status: number;
  body: unknown;
  location?: string;
}): KeptAnswer {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (location !== undefined) headers.location = location;
  return { status, headers, body: Buffer.from(JSON.stringify(body), 'utf8') };
}

/** Sends an answer as it was kept: headers as they were written, the body as raw bytes. */
export function sendAnswer(res: Response, { status, headers, body }: KeptAnswer): void {
  // setHeader, not express's set: set would append a charset to a content type kept without one.
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status);
  if (body === null) res.end();
  else res.send(body);
}

/** Input refused before anything ran: a 400 whose errors all name a field, the API's shape for bad input. */
function failedValidation({ status, headers, body }: KeptAnswer): boolean {
  if (status !== 400 || body === null || !headers['content-type']?.startsWith('application/json'))
    return false;
  const { errors } = JSON.parse(body.toString('utf8')) as { errors?: Array<{ field?: unknown }> };
  return (
    Array.isArray(errors) && errors.length > 0 && errors.every((error) => typeof error?.field === 'string')
  );
}

/**
 * Whether an answer is kept for the retries of its key: the one rule of what is stored. Stripe keeps the
 * answer of every request whose endpoint began to run, failures included, and none for a request refused
 * for its parameters or for a concurrent request (https://docs.stripe.com/api/idempotent_requests). Not
 * kept here, so that the key's next retry runs the request for real:
 * - an answer that says "try again": a 404 (an order not replicated to payments yet), a 409 (a payment in
 *   progress, a ticket reserved meanwhile), a 429, and every 5xx (unlike Stripe, which replays a 500: the
 *   work may not have run, see decision 0009);
 * - input that failed validation: nothing began, and the corrected request may take the key.
 * Every other answer is kept, client errors included: a 402 decline, a 400 for a cancelled order.
 */
export function isKept(answer: KeptAnswer): boolean {
  const { status } = answer;
  if (status >= 500 || status === 404 || status === 409 || status === 429) return false;
  return !failedValidation(answer);
}
