import { z } from 'zod';
import { amountInMinorUnits, currencyCode } from './money';
import { orderStatus } from './order-status';

export const orderCreated = z.object({
  id: z.uuid(),
  version: z.number().int().nonnegative(),
  status: orderStatus,
  userId: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }).describe('when an unpaid order is cancelled'),
  ticket: z.object({ id: z.uuid(), price: amountInMinorUnits, currency: currencyCode }),
});

export type OrderCreated = z.infer<typeof orderCreated>;
