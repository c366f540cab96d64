import { chargeAmountProblem, isSupportedCurrency } from '@ticketing/contracts';
import { z } from 'zod';

const MAX_PRICE = 99_999_999;
const DEFAULT_CURRENCY = 'usd';
const titleRule = 'title must be 1 to 200 characters';
const priceRule = `price must be a whole number of minor units (cents) from 1 to ${MAX_PRICE}`;
const currencyRule = 'currency must be an ISO 4217 code such as "usd"';

/**
 * What a seller says about a ticket: a title, a price in minor units (a number: "100" is refused, money is
 * never guessed from a string), and an ISO 4217 currency. The price must be one Stripe can charge in that
 * currency (its minimum and maximum, whole units where Stripe wants them), or the ticket could be reserved
 * but never paid for.
 */
export const ticketDetails = z
  .object({
    title: z
      .string({ error: 'title is required' })
      .trim()
      .min(1, { error: titleRule })
      .max(200, { error: titleRule }),
    price: z
      .number({ error: priceRule })
      .int({ error: priceRule })
      .min(1, { error: priceRule })
      .max(MAX_PRICE, { error: priceRule })
      .describe('minor units (cents)'),
    currency: z
      .string({ error: currencyRule })
      .transform((currency) => currency.toLowerCase())
      .refine(isSupportedCurrency, {
        error: 'currency must be one Stripe charges cards in, such as "usd" or "eur"',
      })
      .default(DEFAULT_CURRENCY)
      .describe('ISO 4217, "usd" by default'),
  })
  .superRefine(({ price, currency }, context) => {
    // An unknown currency is the currency's error, not the price's.
    if (!isSupportedCurrency(currency)) return;
    const problem = chargeAmountProblem(price, currency);
    if (problem) context.addIssue({ code: 'custom', path: ['price'], message: `price ${problem}` });
  });
