import { z } from 'zod';

/** The order lifecycle, spelled as in the original course app. */
export const OrderStatus = {
  Created: 'created',
  AwaitingPayment: 'awaiting:payment',
  Cancelled: 'cancelled',
  Complete: 'complete',
} as const;

export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const orderStatus = z.enum([
  OrderStatus.Created,
  OrderStatus.AwaitingPayment,
  OrderStatus.Cancelled,
  OrderStatus.Complete,
]);
