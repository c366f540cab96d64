import { defineServiceConfig } from '@ticketing/service';
import { z } from 'zod';

export const ordersConfig = defineServiceConfig({
  /** How long a buyer has to pay before the order expires and the ticket is released. */
  EXPIRATION_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Orders that expired unpaid are deleted this long after they were cancelled. */
  ABANDONED_ORDER_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
});

export type OrdersConfig = z.infer<typeof ordersConfig>;
