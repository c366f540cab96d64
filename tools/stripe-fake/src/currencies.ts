import type { Params } from './params';
import { StripeError } from './stripe-error';

/** Stripe's minimum charge amounts, in minor units, for the currencies this project is likely to see. */
const MINIMUM_AMOUNTS: Readonly<Record<string, number>> = {
  usd: 50,
  eur: 50,
  gbp: 30,
  cad: 50,
  aud: 50,
  nzd: 50,
  chf: 50,
  sgd: 50,
  jpy: 50,
  hkd: 400,
  dkk: 250,
  nok: 300,
  sek: 300,
  pln: 200,
  czk: 1500,
  mxn: 1000,
};
const DEFAULT_MINIMUM_AMOUNT = 50;
/** Stripe's ceiling on a single charge, in minor units, for two-decimal currencies. */
const MAXIMUM_AMOUNT = 99_999_999;
const ZERO_DECIMAL_CURRENCIES = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
]);

/** Reads `currency` (Stripe lower-cases it) and `amount`, enforcing the currency's minimum and maximum. */
export function readChargeAmount(params: Params): { amount: number; currency: string } {
  const amount = params.requiredInteger('amount');
  const currency = readCurrency(params);
  checkChargeAmount(amount, currency, params);
  return { amount, currency };
}

export function readCurrency(params: Params): string {
  const currency = params.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw params.invalid('currency', `Invalid currency: ${currency}.`, 'invalid_currency');
  }
  return currency;
}

export function checkChargeAmount(amount: number, currency: string, params: Params): void {
  const minimum = MINIMUM_AMOUNTS[currency] ?? DEFAULT_MINIMUM_AMOUNT;
  if (amount < minimum) {
    throw StripeError.invalidRequest(
      `Amount must be at least ${formatAmount(minimum, currency)} ${currency}`,
      {
        code: 'amount_too_small',
        param: params.name('amount'),
      },
    );
  }
  if (amount > MAXIMUM_AMOUNT) {
    throw StripeError.invalidRequest(
      `Amount must be no more than ${formatAmount(MAXIMUM_AMOUNT, currency)} ${currency}`,
      { code: 'amount_too_large', param: params.name('amount') },
    );
  }
}

/** Minor units as the major amount Stripe's messages show, e.g. 50 usd as "0.50". */
export function formatAmount(amount: number, currency: string): string {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? String(amount) : (amount / 100).toFixed(2);
}
