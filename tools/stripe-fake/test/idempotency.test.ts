import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { stripeClient } from './support/stripe-client';
import { NO_REDIRECTS } from './support/no-redirects';

const fixture = useStripeFake();

const PAYMENT = {
  amount: 2000,
  currency: 'usd',
  payment_method: 'pm_card_visa',
  confirm: true,
  automatic_payment_methods: NO_REDIRECTS,
};

describe('idempotency keys', () => {
  it('replays the first response for the same key and parameters, charging once', async () => {
    const first = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_1' });
    const replay = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_1' });

    expect(replay).toEqual(first);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(replay.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(fixture.fake.ledger().entries.filter((entry) => entry.status === 'succeeded')).toHaveLength(1);
  });

  it('replays errors too: a declined payment is not tried again', async () => {
    const decline = { ...PAYMENT, payment_method: 'pm_card_chargeDeclined' };

    const first = await rejectionOf(
      fixture.stripe.paymentIntents.create(decline, { idempotencyKey: 'order_2' }),
    );
    const replay = await rejectionOf(
      fixture.stripe.paymentIntents.create(decline, { idempotencyKey: 'order_2' }),
    );

    expect(replay).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((replay as Stripe.errors.StripeCardError).payment_intent?.id).toBe(
      (first as Stripe.errors.StripeCardError).payment_intent?.id,
    );
    expect(fixture.fake.ledger().entries).toHaveLength(1);
  });

  it('refuses the same key with different parameters as an idempotency error', async () => {
    await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_3' });

    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create({ ...PAYMENT, amount: 3000 }, { idempotencyKey: 'order_3' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
  });

  it('refuses the same key on another endpoint', async () => {
    const intent = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_4' });

    const error = await rejectionOf(
      fixture.stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'order_4' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('scopes keys to the API key', async () => {
    const otherAccount = stripeClient(fixture.fake, 'sk_test_other_account');

    const mine = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'shared' });
    const theirs = await otherAccount.paymentIntents.create(
      { ...PAYMENT, amount: 9000 },
      { idempotencyKey: 'shared' },
    );

    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.amount).toBe(9000);
  });

  it('answers 409 to a second request while the first with its key is still running', async () => {
    fixture.fake.setLatency(300);

    const [first, second] = await Promise.allSettled([
      fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_5' }),
      fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_5' }),
    ]);

    const outcomes = [first, second];
    const conflicts = outcomes
      .filter((outcome) => outcome.status === 'rejected')
      .map((outcome) => outcome.reason);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(conflicts).toEqual([
      expect.objectContaining({
        statusCode: 409,
        rawType: 'idempotency_error',
        code: 'idempotency_key_in_use',
      }),
    ]);
    expect(fixture.fake.ledger().entries).toHaveLength(1);
  });

  it('keeps no result for a request refused for its parameters: the corrected retry with the key runs', async () => {
    const typo = await rejectionOf(
      fixture.stripe.paymentIntents.create({ ...PAYMENT, amout: 5 } as Stripe.PaymentIntentCreateParams, {
        idempotencyKey: 'order_6',
      }),
    );
    const unsupported = await rejectionOf(
      fixture.stripe.paymentIntents.create({ ...PAYMENT, currency: 'xyz' }, { idempotencyKey: 'order_6' }),
    );
    const corrected = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_6' });

    expect(typo).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    expect(unsupported).toMatchObject({ statusCode: 400, param: 'currency' });
    expect(unsupported).not.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(corrected.status).toBe('succeeded');
    expect(corrected.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keeps no result for a confirmation refused for its missing return_url', async () => {
    const intent = await fixture.stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
    });

    const refused = await rejectionOf(
      fixture.stripe.paymentIntents.confirm(intent.id, {}, { idempotencyKey: 'confirm_1' }),
    );
    const confirmed = await fixture.stripe.paymentIntents.confirm(
      intent.id,
      { return_url: 'https://shop.test/done' },
      { idempotencyKey: 'confirm_1' },
    );

    expect(refused).toMatchObject({ statusCode: 400 });
    expect(confirmed.status).toBe('succeeded');
  });

  it('keeps the errors of an endpoint that began, such as a state error: a retry replays it', async () => {
    const intent = await fixture.stripe.paymentIntents.create(PAYMENT);
    await fixture.stripe.refunds.create({ payment_intent: intent.id });

    const first = await rejectionOf(
      fixture.stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'refund_1' }),
    );
    const retry = await rejectionOf(
      fixture.stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'refund_1' }),
    );

    expect(first).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect(retry).toMatchObject({
      statusCode: 400,
      code: 'charge_already_refunded',
      headers: { 'idempotent-replayed': 'true' },
    });
  });

  it('does not apply to reads', async () => {
    const intent = await fixture.stripe.paymentIntents.create(PAYMENT);
    const read = (path: string) =>
      fetch(`${fixture.fake.url}${path}`, {
        headers: { Authorization: 'Bearer sk_test_fake', 'Idempotency-Key': 'read_1' },
      });

    const one = await read(`/v1/payment_intents/${intent.id}`);
    const other = await read('/v1/payment_intents');

    expect([one.status, other.status]).toEqual([200, 200]);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });
});
