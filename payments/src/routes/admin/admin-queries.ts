import { pageFields } from '@ticketing/service';
import { z } from 'zod';
import { textFilter } from './text-filter';
import { timeWindowFields, windowInOrder } from './time-window';

/** Admin lists are longer than the buyers' (100 rows, 500 at most): an operator scans, a buyer pages. */
const adminPageFields = pageFields({ defaultSize: 100, maxSize: 500 });
const userId = textFilter('userId', 200).optional().describe("the buyer's user id");
const orderId = z.uuid({ error: 'orderId must be a UUID' }).optional();

export const attemptsQuery = z
  .object({
    outcome: z
      .enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled'], {
        error: 'outcome is not an attempt status',
      })
      .optional(),
    code: textFilter('code', 100).optional().describe("Stripe's error or decline code"),
    orderId,
    userId,
    ...timeWindowFields,
    ...adminPageFields,
  })
  .superRefine(windowInOrder);

export const paymentsQuery = z
  .object({
    status: z
      .enum(['succeeded', 'refunded'], { error: 'status is not a payment status' })
      .optional()
      .describe('refunded: all of the money went back'),
    orderId,
    userId,
    ...timeWindowFields,
    ...adminPageFields,
  })
  .superRefine(windowInOrder);

export const refundsQuery = z.object({
  status: z
    .enum(['requested', 'pending', 'succeeded', 'failed', 'canceled'], {
      error: 'status is not a refund status',
    })
    .optional(),
  paymentId: z.uuid({ error: 'paymentId must be a UUID' }).optional(),
  limit: adminPageFields.limit,
});

export const nextPageHeader = { Link: 'rel="next": the next page, when there is one' };
