import { chargeAmountProblem, isSupportedCurrency } from '@ticketing/common';
import { body, type ValidationChain } from 'express-validator';
import type { TicketDetails } from '../../models/ticket-catalog';

const MAX_PRICE = 99_999_999;
const DEFAULT_CURRENCY = 'usd';

/**
 * What a seller says about a ticket: a title, a price in minor units, and an ISO 4217 currency. The price
 * must be one Stripe can charge in that currency (its minimum and maximum, whole units where Stripe wants
 * them), or the ticket could be reserved but never paid for.
 */
export const ticketDetailsValidation: ValidationChain[] = [
  body('title')
    .isString()
    .withMessage('title is required')
    .bail()
    .trim()
    .isLength({ min: 1, max: 200 })
    .withMessage('title must be 1 to 200 characters'),
  body('price')
    .custom((price) => Number.isInteger(price) && price > 0 && price <= MAX_PRICE)
    .withMessage(`price must be a whole number of minor units (cents) from 1 to ${MAX_PRICE}`)
    .bail()
    .custom((price: number, { req }) => {
      const currency = currencyOf(req.body);
      // An unknown currency is the currency's error, not the price's.
      const problem = isSupportedCurrency(currency) ? chargeAmountProblem(price, currency) : undefined;
      if (problem) throw new Error(`price ${problem}`);
      return true;
    }),
  body('currency')
    .optional()
    .isString()
    .withMessage('currency must be an ISO 4217 code such as "usd"')
    .bail()
    .custom((currency: string) => isSupportedCurrency(currency.toLowerCase()))
    .withMessage('currency must be one Stripe charges cards in, such as "usd" or "eur"'),
];

function currencyOf(requestBody: { currency?: unknown }): string {
  return typeof requestBody.currency === 'string' ? requestBody.currency.toLowerCase() : DEFAULT_CURRENCY;
}

export function readTicketDetails(requestBody: {
  title: string;
  price: number;
  currency?: string;
}): TicketDetails {
  return {
    title: requestBody.title,
    price: requestBody.price,
    currency: currencyOf(requestBody),
  };
}
