import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { NO_REDIRECTS } from './support/no-redirects';

const fixture = useStripeFake();

describe('creating and confirming payment intents', () => {
  it('charges a test card in one call, with the fields Stripe returns', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { orderId: 'order_1' },
      description: 'Two tickets',
    });

    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 2500,
      amount_received: 2500,
      currency: 'usd',
      status: 'succeeded',
      metadata: { orderId: 'order_1' },
      description: 'Two tickets',
      last_payment_error: null,
      next_action: null,
      livemode: false,
      cancellation_reason: null,
    });
    expect(intent.id).toMatch(/^pi_\w+$/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_\\w+$`));
    expect(intent.latest_charge).toMatch(/^ch_\w+$/);
    // As in Stripe, a test card name becomes a PaymentMethod of its own.
    expect(intent.payment_method).toMatch(/^pm_\w+$/);
    expect(intent.payment_method).not.toBe('pm_card_visa');
    expect(await fixture.stripe.paymentIntents.retrieve(intent.id)).toEqual(intent);
    expect(fixture.fake.ledger().entries).toEqual([
      expect.objectContaining({ payment_intent: intent.id, status: 'succeeded', amount_captured: 2500 }),
    ]);
  });

  it('waits for a payment method, then for confirmation, before charging', async () => {
    const created = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    expect(created).toMatchObject({
      status: 'requires_payment_method',
      payment_method: null,
      latest_charge: null,
    });

    const withCard = await fixture.stripe.paymentIntents.update(created.id, {
      payment_method: 'pm_card_mastercard',
    });
    expect(withCard.status).toBe('requires_confirmation');

    const confirmed = await fixture.stripe.paymentIntents.confirm(created.id, {
      return_url: 'https://example.test',
    });
    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 1000 });
  });

  it('expands the latest charge on request', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
      expand: ['latest_charge'],
    });

    expect(intent.latest_charge).toMatchObject({
      object: 'charge',
      status: 'succeeded',
      amount: 1000,
      payment_intent: intent.id,
      payment_method_details: { card: { brand: 'visa', last4: '4242' } },
    });
  });

  it('takes a test token as payment_method_data, as Stripe does, or as the payment method', async () => {
    const fromData = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method_data: {
        type: 'card',
        card: { token: 'tok_visa' },
      } as Stripe.PaymentIntentCreateParams.PaymentMethodData,
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });
    const direct = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'tok_visa',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });

    expect(fromData.status).toBe('succeeded');
    expect(direct.status).toBe('succeeded');
  });
});

describe('declines', () => {
  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
    ['tok_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
  ])(
    '%s raises a StripeCardError with code %s and decline code %s',
    async (paymentMethod, code, declineCode, message) => {
      const error = await rejectionOf(
        fixture.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          payment_method: paymentMethod,
          confirm: true,
          automatic_payment_methods: NO_REDIRECTS,
        }),
      );

      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      const cardError = error as Stripe.errors.StripeCardError;
      expect(cardError).toMatchObject({
        statusCode: 402,
        type: 'StripeCardError',
        code,
        decline_code: declineCode,
        message,
      });
      expect(cardError.charge).toMatch(/^ch_/);
      expect(cardError.payment_intent).toMatchObject({
        status: 'requires_payment_method',
        payment_method: null,
        latest_charge: cardError.charge,
        last_payment_error: { type: 'card_error', code, decline_code: declineCode, message },
      });
      const stored = await fixture.stripe.paymentIntents.retrieve(cardError.payment_intent?.id ?? '');
      expect(stored.last_payment_error?.decline_code).toBe(declineCode);
      expect(fixture.fake.ledger().entries).toEqual([
        expect.objectContaining({ charge: cardError.charge, status: 'failed', amount_captured: 0 }),
      ]);
    },
  );

  it('lets the customer retry a declined intent with another card', async () => {
    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
        automatic_payment_methods: NO_REDIRECTS,
      }),
    );
    const declined = (error as Stripe.errors.StripeCardError).payment_intent as Stripe.PaymentIntent;

    const retried = await fixture.stripe.paymentIntents.confirm(declined.id, {
      payment_method: 'pm_card_visa',
    });

    expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });
    expect(fixture.fake.ledger().entries.map((entry) => entry.status)).toEqual(['failed', 'succeeded']);
  });
});

describe('3-D Secure', () => {
  async function intentAwaitingAuthentication(paymentMethod = 'pm_card_authenticationRequired') {
    return fixture.stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      payment_method: paymentMethod,
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });
  }

  it('waits in requires_action until the authenticate endpoint completes the challenge', async () => {
    const intent = await intentAwaitingAuthentication();
    expect(intent).toMatchObject({
      status: 'requires_action',
      latest_charge: null,
      next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
    });

    const response = await fetch(`${fixture.fake.url}/_fake/payment_intents/${intent.id}/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outcome: 'succeed' }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: intent.id, status: 'succeeded' });
    expect(await fixture.stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 1500,
      next_action: null,
    });
  });

  it('sends the customer to a redirect when the confirmation gives a return_url', async () => {
    const created = await fixture.stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      payment_method: 'pm_card_threeDSecure2Required',
    });

    const intent = await fixture.stripe.paymentIntents.confirm(created.id, {
      return_url: 'https://shop.test/done',
    });

    expect(intent.next_action).toEqual({
      type: 'redirect_to_url',
      redirect_to_url: {
        url: `${fixture.fake.url}/_fake/payment_intents/${intent.id}/authenticate`,
        return_url: 'https://shop.test/done',
      },
    });
  });

  it('returns a failed authentication to requires_payment_method without charging', async () => {
    const intent = await intentAwaitingAuthentication();

    const failed = fixture.fake.authenticate(intent.id, 'fail');

    expect(failed).toMatchObject({
      status: 'requires_payment_method',
      payment_method: null,
      last_payment_error: { type: 'invalid_request_error', code: 'payment_intent_authentication_failure' },
    });
    expect(fixture.fake.ledger().entries).toEqual([]);
  });

  it('can decline the charge after a successful authentication', async () => {
    const intent = await intentAwaitingAuthentication(
      'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds',
    );

    const settled = fixture.fake.authenticate(intent.id, 'succeed');

    expect(settled).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', decline_code: 'insufficient_funds' },
    });
  });

  it('refuses to authenticate an intent that is not waiting for it', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    const response = await fetch(`${fixture.fake.url}/_fake/payment_intents/${intent.id}/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'outcome=succeed',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'payment_intent_unexpected_state' } });
  });
});

describe('invalid requests', () => {
  it.each([
    ['usd', 49, 'Amount must be at least 0.50 usd'],
    ['gbp', 29, 'Amount must be at least 0.30 gbp'],
    ['jpy', 49, 'Amount must be at least 50 jpy'],
  ])('refuses %s amounts under the minimum with amount_too_small', async (currency, amount, message) => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.create({ amount, currency }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount', message });
  });

  it('refuses an unknown payment method with resource_missing, creating nothing', async () => {
    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_nope',
        confirm: true,
        automatic_payment_methods: NO_REDIRECTS,
      }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method' });
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
  });

  it('names missing and unknown parameters', async () => {
    const missing = await rejectionOf(
      fixture.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    );
    const unknown = await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        amout: 5,
      } as Stripe.PaymentIntentCreateParams),
    );

    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'amout' });
  });

  it('answers 404 resource_missing for an unknown intent', async () => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.retrieve('pi_missing'));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent' });
  });
});

describe('status rules', () => {
  async function succeededIntent() {
    return fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });
  }

  it('cancels an open intent with its reason', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    const canceled = await fixture.stripe.paymentIntents.cancel(intent.id, {
      cancellation_reason: 'abandoned',
    });

    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
  });

  it.each([
    [
      'cancel a succeeded intent',
      async (id: string) => fixture.stripe.paymentIntents.cancel(id),
      succeededIntent,
    ],
    [
      'confirm a succeeded intent',
      async (id: string) => fixture.stripe.paymentIntents.confirm(id),
      succeededIntent,
    ],
    [
      'confirm a canceled intent',
      async (id: string) => fixture.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa' }),
      async () => {
        const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
        return fixture.stripe.paymentIntents.cancel(intent.id);
      },
    ],
    [
      'change the amount of a succeeded intent',
      async (id: string) => fixture.stripe.paymentIntents.update(id, { amount: 2000 }),
      succeededIntent,
    ],
  ])('refuses to %s with payment_intent_unexpected_state', async (_action, act, arrange) => {
    const intent = await arrange();

    const error = await rejectionOf(act(intent.id));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
      payment_intent: { id: intent.id, status: intent.status },
    });
  });

  it('refuses to confirm an intent without a payment method', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      automatic_payment_methods: NO_REDIRECTS,
    });

    const error = await rejectionOf(fixture.stripe.paymentIntents.confirm(intent.id));

    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });
});

describe('updating', () => {
  it('merges metadata, deleting keys sent empty, and may do so after success', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
      metadata: { orderId: 'order_1', attempt: '1' },
    });

    const updated = await fixture.stripe.paymentIntents.update(intent.id, {
      metadata: { attempt: '', userId: 'user_1' },
      description: 'Refund pending',
    });

    expect(updated.metadata).toEqual({ orderId: 'order_1', userId: 'user_1' });
    expect(updated.description).toBe('Refund pending');
  });

  it('changes the amount of an open intent, within the currency minimum', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    expect((await fixture.stripe.paymentIntents.update(intent.id, { amount: 1200 })).amount).toBe(1200);
    expect(await rejectionOf(fixture.stripe.paymentIntents.update(intent.id, { amount: 10 }))).toMatchObject({
      code: 'amount_too_small',
    });
  });
});

describe('listing', () => {
  it('pages newest first with limit, starting_after and ending_before', async () => {
    const ids: string[] = [];
    for (const amount of [1000, 2000, 3000]) {
      ids.push((await fixture.stripe.paymentIntents.create({ amount, currency: 'usd' })).id);
    }
    const [oldest, middle, newest] = ids;

    const first = await fixture.stripe.paymentIntents.list({ limit: 2 });
    const second = await fixture.stripe.paymentIntents.list({ limit: 2, starting_after: middle });
    const back = await fixture.stripe.paymentIntents.list({ limit: 1, ending_before: oldest });

    expect(first).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: true });
    expect(first.data.map((intent) => intent.id)).toEqual([newest, middle]);
    expect(second.has_more).toBe(false);
    expect(second.data.map((intent) => intent.id)).toEqual([oldest]);
    expect(back).toMatchObject({ has_more: true, data: [{ id: middle }] });
  });

  it('auto-paginates through the SDK', async () => {
    for (let i = 0; i < 5; i += 1)
      await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    const all = await fixture.stripe.paymentIntents.list({ limit: 2 }).autoPagingToArray({ limit: 100 });

    expect(all).toHaveLength(5);
  });
});
