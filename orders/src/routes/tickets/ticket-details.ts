import { body, type ValidationChain } from 'express-validator';
import type { TicketDetails } from '../../models/ticket-catalog';

const MAX_PRICE = 99_999_999;

/** What a seller says about a ticket: a title, a price in minor units, and an ISO 4217 currency. */
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
    .withMessage(`price must be a whole number of minor units (cents) from 1 to ${MAX_PRICE}`),
  body('currency')
    .optional()
    .isString()
    .bail()
    .customSanitizer((currency: string) => currency.toUpperCase())
    .isISO4217()
    .withMessage('currency must be an ISO 4217 code such as "usd"'),
];

export function readTicketDetails(requestBody: {
  title: string;
  price: number;
  currency?: string;
}): TicketDetails {
  return {
    title: requestBody.title,
    price: requestBody.price,
    currency: (requestBody.currency ?? 'usd').toLowerCase(),
  };
}
