import { z } from 'zod';

/**
 * The order lifecycle, spelled as in the original course app.
 *
 * @example
 * if (order.status === OrderStatus.AwaitingPayment) showCountdown(order.expiresAt);
 */
export const OrderStatus = {
  Created: 'created',
  AwaitingPayment: 'awaiting:payment',
  Cancelled: 'cancelled',
  Complete: 'complete',
} as const;

export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/**
 * The same statuses as a schema, for payloads and for values read back from storage.
 *
 * @example
 * orderStatus.parse('awaiting:payment'); // OrderStatus.AwaitingPayment
 */
export const orderStatus = z.enum([
  OrderStatus.Created,
  OrderStatus.AwaitingPayment,
  OrderStatus.Cancelled,
  OrderStatus.Complete,
]);
