import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { NO_REDIRECTS } from './support/no-redirects';
import { rejectionOf } from './support/rejection-of';

const fixture = useStripeFake();

const RETURN_URL_REQUIRED = /^A `return_url` must be specified because this Payment Intent is configured to/;

describe('automatic_payment_methods', () => {
  it('is on, with redirects allowed, for an intent created without payment_method_types', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    expect(intent.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'always' });
  });

  it.each([
    [NO_REDIRECTS, { enabled: true, allow_redirects: 'never' }],
    [{ enabled: true }, { enabled: true, allow_redirects: 'always' }],
    [{ enabled: false }, { enabled: false }],
  ])('shows %j as %j', async (given, shown) => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      automatic_payment_methods: given,
    });

    expect(intent.automatic_payment_methods).toEqual(shown);
  });

  it('is null beside allowed_payment_method_types, and cannot be given with them', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      allowed_payment_method_types: ['card'],
    });
    const both = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        allowed_payment_method_types: ['card'],
        automatic_payment_methods: NO_REDIRECTS,
      }),
    );

    expect(intent).toMatchObject({
      automatic_payment_methods: null,
      allowed_payment_method_types: ['card'],
      payment_method_types: ['card'],
    });
    expect(both).toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
  });

  it('leaves payment_method_types read-only, as the pinned API version does', async () => {
    // The SDK's types no longer have the parameter: it is sent as an older integration would.
    const sent = { payment_method_types: ['card'] } as object;
    const created = await rejectionOf(
      fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...sent }),
    );
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const updated = await rejectionOf(fixture.stripe.paymentIntents.update(intent.id, sent));
    const confirmed = await rejectionOf(fixture.stripe.paymentIntents.confirm(intent.id, sent));

    for (const error of [created, updated, confirmed]) {
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'payment_method_types_no_longer_supported',
        param: 'payment_method_types',
      });
    }
    expect(intent.payment_method_types).toEqual(['card']);
  });

  it('needs enabled, and one of the two allow_redirects values', async () => {
    const withoutEnabled = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        automatic_payment_methods: {
          allow_redirects: 'never',
        } as Stripe.PaymentIntentCreateParams.AutomaticPaymentMethods,
      }),
    );
    const unknownValue = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        automatic_payment_methods: {
          enabled: true,
          allow_redirects: 'sometimes',
        } as unknown as Stripe.PaymentIntentCreateParams.AutomaticPaymentMethods,
      }),
    );

    expect(withoutEnabled).toMatchObject({
      code: 'parameter_missing',
      param: 'automatic_payment_methods[enabled]',
    });
    expect(unknownValue).toMatchObject({
      statusCode: 400,
      param: 'automatic_payment_methods[allow_redirects]',
    });
  });
});

describe('confirming an intent that allows redirects', () => {
  it('is refused without a return_url, creating nothing when confirmed at creation', async () => {
    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, message: expect.stringMatching(RETURN_URL_REQUIRED) });
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
    expect(fixture.fake.ledger().entries).toEqual([]);
  });

  it('is refused without a return_url, leaving the intent as it was, and charges with one', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
    });

    const refused = await rejectionOf(fixture.stripe.paymentIntents.confirm(intent.id));
    const unchanged = await fixture.stripe.paymentIntents.retrieve(intent.id);
    const confirmed = await fixture.stripe.paymentIntents.confirm(intent.id, {
      return_url: 'https://shop.test/done',
    });

    expect(refused).toMatchObject({ statusCode: 400, message: expect.stringMatching(RETURN_URL_REQUIRED) });
    expect(unchanged).toMatchObject({ status: 'requires_confirmation', latest_charge: null });
    expect(confirmed.status).toBe('succeeded');
  });

  it.each([
    ['allow_redirects: never', { automatic_payment_methods: NO_REDIRECTS }],
    ['allowed_payment_method_types', { allowed_payment_method_types: ['card' as const] }],
  ])('needs no return_url with %s', async (_name, settings) => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...settings,
    });

    expect(intent.status).toBe('succeeded');
  });
});
