/**
 * Stripe's currencies for card payments, from https://docs.stripe.com/currencies: which codes it charges, how
 * an `amount` is written in each (minor units), and the smallest and largest amount it takes. One table for
 * everything that must agree with Stripe: a service can refuse a price Stripe could not charge, and the Stripe
 * fake refuses what Stripe would.
 */

/** Lists of codes are written as text, a few to a line, so that they read like the tables they copy. */
function codes(text: string): string[] {
  return text.trim().split(/\s+/);
}

/** "Supported presentment currencies" for card payments, as listed for a US account. */
const PRESENTMENT_CURRENCIES = codes(`
  usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf
  clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf
  idr ils inr isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur
  mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr
  sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xcg xof
  xpf yer zar zmw
`);

/**
 * "Three-decimal currencies": the API takes them for PaymentIntents and refunds, in thousandths, with the last
 * digit 0 (5.124 KWD must be sent as 5120 or 5130).
 */
const THREE_DECIMAL_CURRENCIES = new Set(codes('bhd jod kwd omr tnd'));

/** "Zero-decimal currencies": the amount is in whole units (500 charges 500 JPY). */
const ZERO_DECIMAL_CURRENCIES = new Set(codes('bif clp djf gnf jpy kmf krw mga pyg rwf vnd vuv xaf xof xpf'));

/**
 * "Special cases": zero-decimal currencies that the API still writes with two decimals for backwards
 * compatibility, so an amount must be whole units (500 charges 5 ISK; 550 cannot be charged).
 */
const WHOLE_UNITS_IN_HUNDREDTHS = new Set(codes('isk ugx'));

/**
 * "Minimum and maximum charge amounts", in minor units: the minimum Stripe enforces per settlement currency,
 * which is also the minimum of a charge in that currency. BGN, still in that table, is left out: it is no
 * longer a presentment currency (Bulgaria adopted the euro).
 */
const MINIMUM_CHARGE_AMOUNTS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
/**
 * For the other currencies Stripe documents "$0.50 US or equivalent in charge currency", converted at the
 * day's rate, which a table cannot know: it applies the USD figure, 50 minor units, instead. Stripe may refuse
 * a charge just above it, or take one just below it in a currency worth more than the dollar.
 */
const DEFAULT_MINIMUM_CHARGE_AMOUNT = 50;

/**
 * The `amount` holds up to 8 digits; more for a few currencies, those of card payments included. (The docs'
 * examples disagree with their digit counts for LBP, COP and HUF; the digit counts are used.)
 */
const DEFAULT_MAXIMUM_CHARGE_AMOUNT = 99_999_999;
const MAXIMUM_CHARGE_AMOUNTS: Readonly<Record<string, number>> = {
  idr: 999_999_999_999,
  inr: 999_999_999,
  lbp: 99_999_999_999,
  cop: 9_999_999_999,
  huf: 9_999_999_999,
  jpy: 9_999_999_999,
};

/**
 * Every currency Stripe charges cards in, lower-case ISO 4217 codes as the API takes them, `usd` first.
 *
 * @example
 * SUPPORTED_CURRENCIES[0]; // 'usd'
 * SUPPORTED_CURRENCIES.includes('kwd'); // true
 */
export const SUPPORTED_CURRENCIES: readonly string[] = [
  ...PRESENTMENT_CURRENCIES,
  ...THREE_DECIMAL_CURRENCIES,
].sort((a, b) => (a === 'usd' ? -1 : b === 'usd' ? 1 : a.localeCompare(b)));

const SUPPORTED = new Set(SUPPORTED_CURRENCIES);

/**
 * Whether Stripe charges cards in this currency. Codes are lower-case, as Stripe requires them in requests.
 *
 * @example
 * isSupportedCurrency('usd'); // true
 * isSupportedCurrency('USD'); // false: Stripe takes lower-case codes
 * isSupportedCurrency('xyz'); // false
 */
export function isSupportedCurrency(code: string): boolean {
  return SUPPORTED.has(code);
}

/**
 * How many decimals an `amount` in this currency has in Stripe's API: 0, 2 or 3. ISK and UGX have 2 although
 * they are charged in whole units (see `amountIncrement`).
 *
 * @example
 * decimalPlaces('jpy'); // 0
 * decimalPlaces('usd'); // 2
 * decimalPlaces('kwd'); // 3
 */
export function decimalPlaces(currency: string): 0 | 2 | 3 {
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  return THREE_DECIMAL_CURRENCIES.has(currency) ? 3 : 2;
}

/**
 * The step every `amount` in this currency is a multiple of: 100 for ISK and UGX (whole units written with two
 * decimals), 10 for three-decimal currencies (last digit 0), 1 for the rest.
 *
 * @example
 * amountIncrement('usd'); // 1
 * amountIncrement('isk'); // 100
 * amountIncrement('kwd'); // 10
 */
export function amountIncrement(currency: string): 1 | 10 | 100 {
  if (WHOLE_UNITS_IN_HUNDREDTHS.has(currency)) return 100;
  return THREE_DECIMAL_CURRENCIES.has(currency) ? 10 : 1;
}

/**
 * The smallest amount, in minor units, Stripe charges in this currency.
 *
 * @example
 * minimumChargeAmount('usd'); // 50, i.e. 0.50 USD
 * minimumChargeAmount('gbp'); // 30
 * minimumChargeAmount('kes'); // 50, the documented USD figure: KES is not in Stripe's table
 */
export function minimumChargeAmount(currency: string): number {
  return MINIMUM_CHARGE_AMOUNTS[currency] ?? DEFAULT_MINIMUM_CHARGE_AMOUNT;
}

/**
 * The largest amount, in minor units, Stripe charges to a card in this currency.
 *
 * @example
 * maximumChargeAmount('usd'); // 99_999_999, i.e. 999,999.99 USD
 * maximumChargeAmount('idr'); // 999_999_999_999
 */
export function maximumChargeAmount(currency: string): number {
  return MAXIMUM_CHARGE_AMOUNTS[currency] ?? DEFAULT_MAXIMUM_CHARGE_AMOUNT;
}

/**
 * An integer amount in minor units as the major amount it stands for, without thousands separators, as
 * Stripe's error messages show it.
 *
 * @example
 * formatMinorUnits(50, 'usd'); // '0.50'
 * formatMinorUnits(50, 'jpy'); // '50'
 * formatMinorUnits(5120, 'kwd'); // '5.120'
 */
export function formatMinorUnits(amount: number, currency: string): string {
  const decimals = decimalPlaces(currency);
  if (decimals === 0) return String(amount);
  // Digits rather than division, so that no amount suffers a floating-point rounding.
  const digits = String(Math.abs(amount)).padStart(decimals + 1, '0');
  const sign = amount < 0 ? '-' : '';
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * Why Stripe would refuse to charge `amount` (minor units) in `currency`, or undefined when it would not. The
 * message follows the word "amount" (or the field's name) in a sentence and names the limit.
 *
 * @example
 * chargeAmountProblem(2500, 'usd'); // undefined
 * chargeAmountProblem(49, 'usd'); // "must be at least 50 (0.50 usd), Stripe's minimum charge"
 * chargeAmountProblem(550, 'isk'); // 'must be a multiple of 100: Stripe charges isk in whole units'
 * chargeAmountProblem(1000, 'xyz'); // 'is in xyz, a currency Stripe does not charge'
 */
export function chargeAmountProblem(amount: number, currency: string): string | undefined {
  if (!isSupportedCurrency(currency)) return `is in ${currency}, a currency Stripe does not charge`;
  if (!Number.isSafeInteger(amount)) return 'must be a whole number of minor units';
  const minimum = minimumChargeAmount(currency);
  if (amount < minimum) {
    return `must be at least ${minimum} (${formatMinorUnits(minimum, currency)} ${currency}), Stripe's minimum charge`;
  }
  const maximum = maximumChargeAmount(currency);
  if (amount > maximum) {
    return `must be at most ${maximum} (${formatMinorUnits(maximum, currency)} ${currency}), Stripe's maximum charge`;
  }
  const increment = amountIncrement(currency);
  if (amount % increment !== 0) {
    return increment === 100
      ? `must be a multiple of 100: Stripe charges ${currency} in whole units`
      : `must be a multiple of 10: Stripe takes ${currency} amounts with a last digit of 0`;
  }
  return undefined;
}
