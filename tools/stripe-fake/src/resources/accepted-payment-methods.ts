import type { Params } from '../params';
import { ParameterError, StripeError } from '../stripe-error';
import type { AutomaticPaymentMethods } from './payment-intent';

/** Which payment methods a new intent accepts, as its `automatic_payment_methods` and types show it. */
export interface AcceptedPaymentMethods {
  automatic_payment_methods: AutomaticPaymentMethods | null;
  allowed_payment_method_types: string[] | null;
  payment_method_types: string[];
}

/**
 * Stripe's default since API version 2023-08-16: an intent accepts the payment methods enabled in the
 * Dashboard, redirect-based ones included (https://docs.stripe.com/changelog/2023-08-16/automatic-payment-methods).
 */
const DEFAULT_AUTOMATIC_PAYMENT_METHODS: AutomaticPaymentMethods = {
  enabled: true,
  allow_redirects: 'always',
};

/** The fake charges cards only; the payment methods an intent would compute come down to this. */
const CARD_ONLY = ['card'];

const RETURN_URL_REQUIRED =
  'A `return_url` must be specified because this Payment Intent is configured to automatically accept the ' +
  'payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you ' +
  'do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` ' +
  'and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

/**
 * Since API version 2026-09-30.endive (the SDK pins 2026-10-28.endive) `payment_method_types` is read-only:
 * sending it to create, update or confirm an intent is a 400 `payment_method_types_no_longer_supported`
 * (https://docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents).
 */
export function refuseWritablePaymentMethodTypes(params: Params): void {
  if (!params.has('payment_method_types')) return;
  throw new ParameterError(
    '`payment_method_types` is no longer supported on this API version. Use dynamic payment methods ' +
      '(`automatic_payment_methods`) or `allowed_payment_method_types` instead.',
    { code: 'payment_method_types_no_longer_supported', param: 'payment_method_types' },
  );
}

/**
 * `automatic_payment_methods` as given or defaulted, or `allowed_payment_method_types`, which excludes it
 * (https://docs.stripe.com/changelog/dahlia/2026-07-29/allowed-payment-method-types-parameter).
 */
export function readAcceptedPaymentMethods(params: Params): AcceptedPaymentMethods {
  const automatic = params.nested('automatic_payment_methods');
  const allowedTypes = params.stringList('allowed_payment_method_types');
  if (allowedTypes !== undefined) {
    if (automatic !== undefined) {
      throw StripeError.parametersExclusive('allowed_payment_method_types', 'automatic_payment_methods');
    }
    if (allowedTypes.join() !== 'card') {
      throw params.invalid(
        'allowed_payment_method_types',
        'The Stripe fake charges cards only: allowed_payment_method_types can only be [card].',
      );
    }
    return {
      automatic_payment_methods: null,
      allowed_payment_method_types: allowedTypes,
      payment_method_types: CARD_ONLY,
    };
  }
  return {
    automatic_payment_methods:
      automatic === undefined ? { ...DEFAULT_AUTOMATIC_PAYMENT_METHODS } : readAutomatic(automatic),
    allowed_payment_method_types: null,
    payment_method_types: CARD_ONLY,
  };
}

function readAutomatic(automatic: Params): AutomaticPaymentMethods {
  automatic.rejectUnknown(['enabled', 'allow_redirects']);
  const enabled = automatic.boolean('enabled');
  if (enabled === undefined) throw StripeError.parameterMissing(automatic.name('enabled'));
  const allowRedirects = automatic.oneOf('allow_redirects', ['always', 'never']);
  if (!enabled) return { enabled, ...(allowRedirects && { allow_redirects: allowRedirects }) };
  return { enabled, allow_redirects: allowRedirects ?? 'always' };
}

/**
 * Confirming an intent that may use a redirect-based payment method needs somewhere to send the customer back
 * to, whatever the payment method at hand: Stripe refuses the confirmation without a `return_url` unless
 * redirects were turned off with `allow_redirects: 'never'`.
 */
export function requireReturnUrl(
  automaticPaymentMethods: AutomaticPaymentMethods | null,
  returnUrl: string | undefined,
): void {
  const redirectsAllowed =
    automaticPaymentMethods?.enabled === true && automaticPaymentMethods.allow_redirects !== 'never';
  if (redirectsAllowed && returnUrl === undefined) throw new ParameterError(RETURN_URL_REQUIRED);
}
