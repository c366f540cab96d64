import { DependencyUnavailableError } from '@ticketing/bus';
import Stripe from 'stripe';

/**
 * Stripe has not told us what it did: no answer (network, timeout), the same key still running there
 * (409 `idempotency_key_in_use`), or too many requests (429, refused before anything ran). Asking again under
 * the same key gets the real answer once there is one.
 */
export function isUnanswered(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && error.statusCode === 409)
  );
}

/**
 * Stripe answered that it failed (a 5xx). It keeps such an answer under the request's idempotency key, so
 * a retry needs a fresh key; what was asked may or may not have been done.
 */
export function isStripeFailure(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500;
}

/** Either of the above: Stripe itself is the problem, not what was asked of it. */
export function isStripeDown(error: unknown): boolean {
  return isUnanswered(error) || isStripeFailure(error);
}

/**
 * A failure of Stripe itself, as opposed to a refusal of what was asked, turned into the error that makes
 * a listener retry without limit and HTTP answer 503; anything else is passed on as it is.
 *
 * @example
 * await stripe.refunds.create(params).catch(whenStripeIsDown);
 */
export function whenStripeIsDown(error: unknown): never {
  if (isStripeDown(error)) throw new DependencyUnavailableError('Stripe', { cause: error });
  throw error;
}
