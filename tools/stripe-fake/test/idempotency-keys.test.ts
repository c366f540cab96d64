import { IdempotencyKeys } from '../src/http/idempotency-keys';
import { StripeError } from '../src/stripe-error';

const RESPONSE = { status: 200, body: '{}', requestId: 'req_first' };
const DAY_MS = 24 * 60 * 60 * 1000;

function claim(keys: IdempotencyKeys, fingerprint = 'same request') {
  const started = keys.begin('sk_test_a', 'key_1', fingerprint);
  if (!('claim' in started)) throw new Error('expected to claim the key');
  return started.claim;
}

describe('IdempotencyKeys', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps server errors too, as Stripe documents: a retry with the key gets the same 500', () => {
    const keys = new IdempotencyKeys();
    const serverError = { status: 500, body: '{"error":{"type":"api_error"}}', requestId: 'req_failed' };
    claim(keys).complete(serverError);

    expect(keys.begin('sk_test_a', 'key_1', 'same request')).toEqual({ replay: serverError });
  });

  it('forgets keys after 24 hours, as Stripe does', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const keys = new IdempotencyKeys();
    claim(keys).complete(RESPONSE);

    now.mockReturnValue(1_000_000 + DAY_MS - 1);
    expect(keys.begin('sk_test_a', 'key_1', 'same request')).toEqual({ replay: RESPONSE });

    now.mockReturnValue(1_000_000 + DAY_MS);
    expect(keys.begin('sk_test_a', 'key_1', 'another request')).toHaveProperty('claim');
  });

  it('refuses keys longer than Stripe allows', () => {
    const keys = new IdempotencyKeys();

    expect(() => keys.begin('sk_test_a', 'k'.repeat(256), 'request')).toThrow(StripeError);
  });
});
