import { newId } from '../ids';
import { StripeError, stripeErrorBody, type StripeErrorBody } from '../stripe-error';
import type { Charges } from './charges';
import type { Events } from './events';
import type { PaymentIntent } from './payment-intent';
import type { PaymentMethod } from './payment-method';
import type { PaymentMethods } from './payment-methods';
import type { EventRequest } from './stripe-event';

export type AuthenticationOutcome = 'succeed' | 'fail';

export interface PaymentAttemptsDependencies {
  paymentMethods: PaymentMethods;
  charges: Charges;
  events: Events;
  /** Where the customer would complete 3-D Secure for an intent: the fake's authenticate endpoint. */
  authenticationUrl: (paymentIntentId: string) => string;
}

const AUTHENTICATION_FAILED =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new ' +
  'PaymentMethod to attempt to fulfill this PaymentIntent again.';

/** What confirming a PaymentIntent does with its card: ask for 3-D Secure, then charge it or decline. */
export class PaymentAttempts {
  constructor(private readonly deps: PaymentAttemptsDependencies) {}

  /** Confirms the intent; a decline is thrown as Stripe's 402 card error, after the intent records it. */
  attempt(intent: PaymentIntent, returnUrl: string | undefined, request: EventRequest): void {
    const paymentMethod = this.paymentMethodOf(intent);
    if (this.deps.paymentMethods.cardOf(paymentMethod).requiresAuthentication) {
      this.requestAuthentication(intent, returnUrl, request);
      return;
    }
    this.charge(intent, paymentMethod, request);
    if (intent.status === 'requires_payment_method' && intent.last_payment_error !== null) {
      throw new StripeError(402, { ...intent.last_payment_error, payment_intent: structuredClone(intent) });
    }
  }

  /** Settles a pending 3-D Secure challenge as the customer would; a decline after it is not thrown. */
  authenticate(intent: PaymentIntent, outcome: AuthenticationOutcome, request: EventRequest): void {
    if (intent.status !== 'requires_action') {
      throw StripeError.invalidRequest(
        `PaymentIntent ${intent.id} is not awaiting authentication: its status is ${intent.status}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
      );
    }
    const paymentMethod = this.paymentMethodOf(intent);
    if (outcome === 'succeed') {
      this.charge(intent, paymentMethod, request);
      return;
    }
    const failure = stripeErrorBody('invalid_request_error', AUTHENTICATION_FAILED, {
      code: 'payment_intent_authentication_failure',
      payment_method: paymentMethod,
    });
    this.fail(intent, failure, request);
  }

  private paymentMethodOf(intent: PaymentIntent): PaymentMethod {
    if (intent.payment_method === null) {
      throw StripeError.invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the " +
          'PaymentIntent with a payment method and then confirm it again.',
        { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
      );
    }
    return this.deps.paymentMethods.get(intent.payment_method);
  }

  private requestAuthentication(
    intent: PaymentIntent,
    returnUrl: string | undefined,
    request: EventRequest,
  ): void {
    const url = this.deps.authenticationUrl(intent.id);
    intent.status = 'requires_action';
    intent.next_action =
      returnUrl === undefined
        ? {
            type: 'use_stripe_sdk',
            use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: newId('src') },
          }
        : { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } };
    this.deps.events.record('payment_intent.requires_action', intent, request);
  }

  private charge(intent: PaymentIntent, paymentMethod: PaymentMethod, request: EventRequest): void {
    const { decline } = this.deps.paymentMethods.cardOf(paymentMethod);
    const charge = this.deps.charges.create(intent, paymentMethod, decline, request);
    intent.latest_charge = charge.id;
    intent.next_action = null;
    if (decline !== undefined) {
      const failure = stripeErrorBody('card_error', decline.message, {
        code: decline.code,
        decline_code: decline.declineCode,
        charge: charge.id,
        payment_method: paymentMethod,
      });
      this.fail(intent, failure, request);
      return;
    }
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    this.deps.events.record('payment_intent.succeeded', intent, request);
  }

  /** As in Stripe, the failed payment method is detached; it lives on in `last_payment_error`. */
  private fail(intent: PaymentIntent, failure: StripeErrorBody, request: EventRequest): void {
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.next_action = null;
    intent.last_payment_error = failure;
    this.deps.events.record('payment_intent.payment_failed', intent, request);
  }
}
