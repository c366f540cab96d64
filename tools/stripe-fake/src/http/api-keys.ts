import { StripeError, stripeErrorBody } from '../stripe-error';

const MISSING_KEY_MESSAGE =
  'You did not provide an API key. You need to provide your API key in the Authorization header, ' +
  "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See " +
  'https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.';

/** Which secret keys the fake accepts: one given key, or by default any test-mode key (`sk_test_...`). */
export class ApiKeyPolicy {
  constructor(private readonly acceptedKey?: string) {}

  /** The caller's key from `Authorization`: Bearer, or Basic with the key as user name (as curl -u does). */
  authenticate(authorization: string | undefined): string {
    const key = readKey(authorization ?? '');
    if (key === '') throw unauthorized(MISSING_KEY_MESSAGE);
    const accepted = this.acceptedKey === undefined ? /^sk_test_\w+$/.test(key) : key === this.acceptedKey;
    if (!accepted) throw unauthorized(`Invalid API Key provided: ${redact(key)}`);
    return key;
  }
}

function readKey(authorization: string): string {
  const [scheme = '', credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return credentials;
  if (/^basic$/i.test(scheme)) return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '';
  return '';
}

/** Stripe shows only the mode prefix and the last four characters of a rejected key. */
function redact(key: string): string {
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? '';
  const hidden = key.length - prefix.length - 4;
  return hidden > 0 ? `${prefix}${'*'.repeat(hidden)}${key.slice(-4)}` : '*'.repeat(key.length);
}

function unauthorized(message: string): StripeError {
  return new StripeError(401, stripeErrorBody('invalid_request_error', message));
}
