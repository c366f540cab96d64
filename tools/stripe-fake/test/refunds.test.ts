import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { NO_REDIRECTS } from './support/no-redirects';

const fixture = useStripeFake();

async function paidIntent(amount = 5000): Promise<Stripe.PaymentIntent> {
  return fixture.stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
  });
}

describe('refunds', () => {
  it('refunds the whole charge when no amount is given', async () => {
    const intent = await paidIntent();

    const refund = await fixture.stripe.refunds.create({
      payment_intent: intent.id,
      reason: 'requested_by_customer',
      metadata: { orderId: 'order_1' },
    });

    expect(refund).toMatchObject({
      object: 'refund',
      status: 'succeeded',
      failure_reason: null,
      amount: 5000,
      currency: 'usd',
      charge: intent.latest_charge,
      payment_intent: intent.id,
      reason: 'requested_by_customer',
      metadata: { orderId: 'order_1' },
    });
    expect(refund.id).toMatch(/^re_\w+$/);
    expect(await fixture.stripe.refunds.retrieve(refund.id)).toEqual(refund);
    expect(await fixture.stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({
      amount_refunded: 5000,
      refunded: true,
    });
  });

  it('refunds part of a charge, more than once, up to what is left', async () => {
    const intent = await paidIntent();

    await fixture.stripe.refunds.create({ payment_intent: intent.id, amount: 2000 });
    await fixture.stripe.refunds.create({ charge: String(intent.latest_charge), amount: 1000 });
    const tooMuch = await rejectionOf(
      fixture.stripe.refunds.create({ payment_intent: intent.id, amount: 2001 }),
    );

    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(fixture.fake.ledger().entries).toEqual([
      expect.objectContaining({
        payment_intent: intent.id,
        amount_captured: 5000,
        amount_refunded: 3000,
        refunds: [
          expect.objectContaining({ amount: 2000, status: 'succeeded' }),
          expect.objectContaining({ amount: 1000, status: 'succeeded' }),
        ],
      }),
    ]);
    const listed = await fixture.stripe.refunds.list({ payment_intent: intent.id });
    expect(listed.data.map((refund) => refund.amount)).toEqual([1000, 2000]);
  });

  it('refuses to refund a fully refunded charge with charge_already_refunded', async () => {
    const intent = await paidIntent();
    await fixture.stripe.refunds.create({ payment_intent: intent.id });

    const error = await rejectionOf(fixture.stripe.refunds.create({ payment_intent: intent.id }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('refuses to refund an intent that has taken no money', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    const error = await rejectionOf(fixture.stripe.refunds.create({ payment_intent: intent.id }));

    expect(error).toMatchObject({ statusCode: 400, code: 'charge_not_refundable', param: 'payment_intent' });
  });

  it('refuses unknown intents and charges, and a refund without either', async () => {
    expect(await rejectionOf(fixture.stripe.refunds.create({ payment_intent: 'pi_missing' }))).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'payment_intent',
    });
    expect(await rejectionOf(fixture.stripe.refunds.create({ charge: 'ch_missing' }))).toMatchObject({
      code: 'resource_missing',
      param: 'charge',
    });
    expect(await rejectionOf(fixture.stripe.refunds.create({}))).toMatchObject({ code: 'parameter_missing' });
  });

  it('records charge.refunded with the charge as it was after each refund', async () => {
    const intent = await paidIntent();
    await fixture.stripe.refunds.create({ payment_intent: intent.id, amount: 1500 });
    await fixture.stripe.refunds.create({ payment_intent: intent.id });

    const events = await fixture.stripe.events.list({ type: 'charge.refunded' });

    expect(events.data.map((event) => (event.data.object as Stripe.Charge).amount_refunded)).toEqual([
      5000, 1500,
    ]);
    expect(events.data.map((event) => (event.data.object as Stripe.Charge).refunded)).toEqual([true, false]);
  });
});
