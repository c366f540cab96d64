import Stripe from 'stripe';
import { StripeFake } from '../src';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { stripeClient } from './support/stripe-client';

const fixture = useStripeFake();

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fixture.fake.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: 'Bearer sk_test_fake',
      'Content-Type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  });
}

describe('authentication', () => {
  it('refuses a request without an API key with a 401 invalid_request_error', async () => {
    const response = await fetch(`${fixture.fake.url}/v1/payment_intents`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('You did not provide an API key'),
      },
    });
  });

  it('refuses keys that are not test secret keys, showing only their last characters', async () => {
    const error = await rejectionOf(stripeClient(fixture.fake, 'sk_live_abcdef1234').paymentIntents.list());

    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({
      statusCode: 401,
      rawType: 'invalid_request_error',
      message: 'Invalid API Key provided: sk_live_******1234',
    });
  });

  it('accepts the key as a Basic user name, as curl -u sends it', async () => {
    const response = await fetch(`${fixture.fake.url}/v1/payment_intents`, {
      headers: { Authorization: `Basic ${Buffer.from('sk_test_fake:').toString('base64')}` },
    });

    expect(response.status).toBe(200);
  });

  it('accepts only the configured key when one is given', async () => {
    const strict = await StripeFake.start({ apiKey: 'sk_test_only_this_one' });
    try {
      expect(await rejectionOf(stripeClient(strict, 'sk_test_another').paymentIntents.list())).toBeInstanceOf(
        Stripe.errors.StripeAuthenticationError,
      );
      expect((await stripeClient(strict, 'sk_test_only_this_one').paymentIntents.list()).data).toEqual([]);
    } finally {
      await strict.stop();
    }
  });
});

describe('requests and responses', () => {
  it('gives every response a Request-Id, errors included', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const missing = await fetch(`${fixture.fake.url}/v1/payment_intents`);

    expect(intent.lastResponse.requestId).toMatch(/^req_\w+$/);
    expect(missing.headers.get('request-id')).toMatch(/^req_\w+$/);
  });

  it('reads nested form parameters and indexed or bracketed arrays', async () => {
    const response = await post(
      '/v1/payment_intents',
      'amount=1500&currency=USD&confirm=true&metadata[orderId]=order_1&metadata[userId]=user_1' +
        '&payment_method_data[type]=card&payment_method_data[card][token]=tok_mastercard' +
        '&allowed_payment_method_types[0]=card&expand[]=latest_charge&expand[]=payment_method',
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      currency: 'usd',
      status: 'succeeded',
      metadata: { orderId: 'order_1', userId: 'user_1' },
      allowed_payment_method_types: ['card'],
      latest_charge: { object: 'charge', amount: 1500 },
      payment_method: { object: 'payment_method', card: { brand: 'mastercard', last4: '4444' } },
    });
  });

  it('clears all metadata when it is sent empty', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      metadata: { a: '1', b: '2' },
    });

    const response = await post(`/v1/payment_intents/${intent.id}`, 'metadata=');

    expect(await response.json()).toEqual(expect.objectContaining({ metadata: {} }));
  });

  it('names the parameter of a malformed value', async () => {
    const response = await post('/v1/payment_intents', 'amount=12.5&currency=usd');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' },
    });
  });

  it('refuses a body it cannot read as nested parameters', async () => {
    const response = await post('/v1/payment_intents', 'amount=1000&amount[x]=1');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('refuses a body over the size limit with a 413 invalid_request_error', async () => {
    const response = await post('/v1/payment_intents', `description=${'x'.repeat(2 * 1024 * 1024)}`);

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('refuses expansions it does not know, changing nothing', async () => {
    const response = await post('/v1/payment_intents', 'amount=1000&currency=usd&expand[]=customer');

    expect(response.status).toBe(400);
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
  });

  it('answers 404 to unknown API paths, after checking the key', async () => {
    const unauthenticated = await fetch(`${fixture.fake.url}/v1/customers`);
    const authenticated = await fetch(`${fixture.fake.url}/v1/customers?limit=3`, {
      headers: { Authorization: 'Bearer sk_test_fake' },
    });

    expect(unauthenticated.status).toBe(401);
    expect(authenticated.status).toBe(404);
    expect(await authenticated.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('Unrecognized request URL (GET: /v1/customers)'),
      },
    });
  });
});
