import {
  SUPPORTED_CURRENCIES,
  amountIncrement,
  chargeAmountProblem,
  decimalPlaces,
  formatMinorUnits,
  isSupportedCurrency,
  maximumChargeAmount,
  minimumChargeAmount,
} from '../src/money/stripe-currencies';

describe("Stripe's currencies", () => {
  it('lists every card presentment currency and the three-decimal ones, lower-case, usd first, once each', () => {
    expect(SUPPORTED_CURRENCIES[0]).toBe('usd');
    expect(SUPPORTED_CURRENCIES).toHaveLength(new Set(SUPPORTED_CURRENCIES).size);
    expect(SUPPORTED_CURRENCIES).toHaveLength(134 + 5);
    expect(SUPPORTED_CURRENCIES.every((code) => /^[a-z]{3}$/.test(code))).toBe(true);
    for (const code of ['eur', 'gbp', 'jpy', 'mxn', 'xcg', 'zmw', 'kwd', 'bhd']) {
      expect(SUPPORTED_CURRENCIES).toContain(code);
    }
  });

  it('tells the supported codes from the rest, which must be lower-case as Stripe takes them', () => {
    expect(isSupportedCurrency('usd')).toBe(true);
    expect(isSupportedCurrency('isk')).toBe(true);
    expect(isSupportedCurrency('USD')).toBe(false);
    expect(isSupportedCurrency('xyz')).toBe(false);
    expect(isSupportedCurrency('bgn')).toBe(false);
  });

  it.each([
    ['usd', 2, 1],
    ['jpy', 0, 1],
    ['krw', 0, 1],
    ['kwd', 3, 10],
    ['isk', 2, 100],
    ['ugx', 2, 100],
  ])('writes %s amounts with %i decimals, in steps of %i', (currency, decimals, increment) => {
    expect(decimalPlaces(currency)).toBe(decimals);
    expect(amountIncrement(currency)).toBe(increment);
  });

  it("takes the minimum from Stripe's table, and the USD figure for currencies not in it", () => {
    expect(minimumChargeAmount('usd')).toBe(50);
    expect(minimumChargeAmount('gbp')).toBe(30);
    expect(minimumChargeAmount('hkd')).toBe(400);
    expect(minimumChargeAmount('huf')).toBe(17500);
    expect(minimumChargeAmount('jpy')).toBe(50);
    expect(minimumChargeAmount('kes')).toBe(50);
  });

  it('allows eight digits, and more where Stripe documents more', () => {
    expect(maximumChargeAmount('usd')).toBe(99_999_999);
    expect(maximumChargeAmount('idr')).toBe(999_999_999_999);
    expect(maximumChargeAmount('inr')).toBe(999_999_999);
    expect(maximumChargeAmount('jpy')).toBe(9_999_999_999);
  });

  it.each([
    [50, 'usd', '0.50'],
    [99_999_999, 'usd', '999999.99'],
    [5, 'eur', '0.05'],
    [50, 'jpy', '50'],
    [5120, 'kwd', '5.120'],
    [500, 'isk', '5.00'],
    [-150, 'usd', '-1.50'],
  ])('formats %i %s as %s', (amount, currency, formatted) => {
    expect(formatMinorUnits(amount, currency)).toBe(formatted);
  });

  describe('chargeAmountProblem', () => {
    it.each([
      [2500, 'usd'],
      [50, 'usd'],
      [99_999_999, 'usd'],
      [30, 'gbp'],
      [500, 'isk'],
      [5120, 'kwd'],
      [9_999_999_999, 'jpy'],
    ])('has nothing against %i %s', (amount, currency) => {
      expect(chargeAmountProblem(amount, currency)).toBeUndefined();
    });

    it.each([
      [49, 'usd', "must be at least 50 (0.50 usd), Stripe's minimum charge"],
      [29, 'gbp', "must be at least 30 (0.30 gbp), Stripe's minimum charge"],
      [49, 'jpy', "must be at least 50 (50 jpy), Stripe's minimum charge"],
      [0, 'eur', "must be at least 50 (0.50 eur), Stripe's minimum charge"],
      [100_000_000, 'usd', "must be at most 99999999 (999999.99 usd), Stripe's maximum charge"],
      [550, 'isk', 'must be a multiple of 100: Stripe charges isk in whole units'],
      [5124, 'kwd', 'must be a multiple of 10: Stripe takes kwd amounts with a last digit of 0'],
      [12.5, 'usd', 'must be a whole number of minor units'],
      [1000, 'xyz', 'is in xyz, a currency Stripe does not charge'],
      [1000, 'USD', 'is in USD, a currency Stripe does not charge'],
    ])('refuses %p %s: the amount %s', (amount, currency, problem) => {
      expect(chargeAmountProblem(amount, currency)).toBe(problem);
    });
  });
});
