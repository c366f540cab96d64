import { z } from 'zod';

/** Integer minor units (cents): money is never a float. */
export const amountInMinorUnits = z.number().int().nonnegative().max(99_999_999);

/** ISO 4217 code, lower-case as Stripe spells it. */
export const currencyCode = z
  .string()
  .regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 currency code, e.g. "usd"');
