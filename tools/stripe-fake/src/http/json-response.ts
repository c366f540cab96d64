import type { Response } from 'express';
import { StripeError, stripeErrorBody } from '../stripe-error';

/** A response ready to send, or to store for an idempotent replay: the body is already serialized. */
export interface JsonResponse {
  status: number;
  body: string;
}

/** Stripe pretty-prints its JSON. */
export function jsonResponse(status: number, value: unknown): JsonResponse {
  return { status, body: JSON.stringify(value, null, 2) };
}

/** A StripeError as Stripe answers it; anything else is a bug in the fake, reported as an `api_error`. */
export function errorResponse(error: unknown): JsonResponse {
  if (error instanceof StripeError) return jsonResponse(error.statusCode, error.toJSON());
  const reason = error instanceof Error ? error.message : String(error);
  return jsonResponse(500, { error: stripeErrorBody('api_error', `The Stripe fake failed: ${reason}`) });
}

export function sendJson(res: Response, { status, body }: JsonResponse): void {
  res.status(status).type('application/json').send(body);
}
