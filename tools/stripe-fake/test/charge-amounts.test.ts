import { SUPPORTED_CURRENCIES } from '@ticketing/contracts';
import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';

const fixture = useStripeFake();

describe('currencies', () => {
  it("refuses an unsupported currency with Stripe's error, listing the supported ones", async () => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      param: 'currency',
      code: undefined,
      message: `Invalid currency: xyz. Stripe currently supports these currencies: ${SUPPORTED_CURRENCIES.join(', ')}`,
    });
    expect((error as Stripe.errors.StripeError).message).toMatch(
      /supports these currencies: usd, aed, afn, /,
    );
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
  });

  it('takes a currency in any case and answers it lower-case', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'EUR' });

    expect(intent.currency).toBe('eur');
  });

  it('refuses to change an intent to an unsupported currency', async () => {
    const intent = await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });

    const error = await rejectionOf(fixture.stripe.paymentIntents.update(intent.id, { currency: 'bgn' }));

    expect(error).toMatchObject({ statusCode: 400, param: 'currency' });
    expect((await fixture.stripe.paymentIntents.retrieve(intent.id)).currency).toBe('usd');
  });
});

describe('amount limits', () => {
  it.each([
    ['hkd', 399, 'Amount must be at least 4.00 hkd'],
    ['huf', 17_499, 'Amount must be at least 175.00 huf'],
    ['kes', 49, 'Amount must be at least 0.50 kes'],
  ])("refuses %s below Stripe's minimum with amount_too_small", async (currency, amount, message) => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.create({ amount, currency }));

    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount', message });
  });

  it.each([
    ['usd', 100_000_000, 'Amount must be no more than 999999.99 usd'],
    ['jpy', 10_000_000_000, 'Amount must be no more than 9999999999 jpy'],
  ])("refuses %s above Stripe's maximum with amount_too_large", async (currency, amount, message) => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.create({ amount, currency }));

    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount', message });
  });

  it('takes the largest amounts Stripe documents', async () => {
    const usd = await fixture.stripe.paymentIntents.create({ amount: 99_999_999, currency: 'usd' });
    const idr = await fixture.stripe.paymentIntents.create({ amount: 999_999_999_999, currency: 'idr' });

    expect([usd.amount, idr.amount]).toEqual([99_999_999, 999_999_999_999]);
  });

  it.each([
    ['isk', 550, 500],
    ['ugx', 1_050, 1_000],
    ['kwd', 5_124, 5_120],
  ])('takes %s only in the steps Stripe documents: %i is refused, %i taken', async (currency, bad, good) => {
    const error = await rejectionOf(fixture.stripe.paymentIntents.create({ amount: bad, currency }));
    const intent = await fixture.stripe.paymentIntents.create({ amount: good, currency });

    expect(error).toMatchObject({ statusCode: 400, param: 'amount' });
    expect(intent.amount).toBe(good);
  });
});
