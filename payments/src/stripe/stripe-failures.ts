import { DependencyUnavailableError } from '@ticketing/common';
import Stripe from 'stripe';

/** Stripe did not answer (network, timeout): whatever was asked may or may not have been done. */
export function isUnanswered(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeConnectionError;
}

/**
 * Stripe answered that it failed (its 5xx, or too many requests). It keeps such an answer under the
 * request's idempotency key, so a retry needs a fresh key; what was asked may or may not have been done.
 */
export function isStripeFailure(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeAPIError || error instanceof Stripe.errors.StripeRateLimitError;
}

/**
 * A failure of Stripe itself, as opposed to a refusal of what was asked, turned into the error that makes
 * a listener retry without limit and HTTP answer 503; anything else is passed on as it is.
 *
 * @example
 * await stripe.refunds.create(params).catch(whenStripeIsDown);
 */
export function whenStripeIsDown(error: unknown): never {
  if (isUnanswered(error) || isStripeFailure(error)) {
    throw new DependencyUnavailableError('Stripe', { cause: error });
  }
  throw error;
}
