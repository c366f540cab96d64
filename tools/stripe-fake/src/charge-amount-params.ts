import {
  SUPPORTED_CURRENCIES,
  amountIncrement,
  formatMinorUnits,
  isSupportedCurrency,
  maximumChargeAmount,
  minimumChargeAmount,
} from '@ticketing/contracts';
import type { Params } from './params';
import { ParameterError } from './stripe-error';

/** Reads `currency` and `amount`, refusing what Stripe would not charge as Stripe refuses it. */
export function readChargeAmount(params: Params): { amount: number; currency: string } {
  const amount = params.requiredInteger('amount');
  const currency = readCurrency(params);
  checkChargeAmount(amount, currency, params);
  return { amount, currency };
}

/** Stripe lower-cases the code and answers an unsupported one with the list of those it supports. */
export function readCurrency(params: Params): string {
  const currency = params.requiredString('currency').toLowerCase();
  if (!isSupportedCurrency(currency)) {
    throw params.invalid(
      'currency',
      `Invalid currency: ${currency}. Stripe currently supports these currencies: ${SUPPORTED_CURRENCIES.join(', ')}`,
    );
  }
  return currency;
}

export function checkChargeAmount(amount: number, currency: string, params: Params): void {
  const minimum = minimumChargeAmount(currency);
  if (amount < minimum) {
    throw new ParameterError(`Amount must be at least ${formatMinorUnits(minimum, currency)} ${currency}`, {
      code: 'amount_too_small',
      param: params.name('amount'),
    });
  }
  const maximum = maximumChargeAmount(currency);
  if (amount > maximum) {
    throw new ParameterError(
      `Amount must be no more than ${formatMinorUnits(maximum, currency)} ${currency}`,
      {
        code: 'amount_too_large',
        param: params.name('amount'),
      },
    );
  }
  const increment = amountIncrement(currency);
  if (amount % increment !== 0) {
    throw params.invalid(
      'amount',
      `Invalid amount: ${currency} amounts must be a multiple of ${increment} (${formatMinorUnits(increment, currency)} ${currency}).`,
    );
  }
}
