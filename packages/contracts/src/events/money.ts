import { z } from 'zod';

/**
 * Integer minor units (cents): money is never a float.
 *
 * @example
 * amountInMinorUnits.parse(1999); // 19.99 in a two-decimal currency
 * amountInMinorUnits.safeParse(19.99).success; // false
 */
export const amountInMinorUnits = z.number().int().nonnegative().max(99_999_999);

/**
 * ISO 4217 code, lower-case as Stripe spells it. The shape only: `isSupportedCurrency` says whether Stripe
 * charges it.
 *
 * @example
 * currencyCode.parse('usd'); // 'usd'
 * currencyCode.safeParse('USD').success; // false
 */
export const currencyCode = z
  .string()
  .regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 currency code, e.g. "usd"');
