import { defineServiceConfig } from '@ticketing/common';
import type { z } from 'zod';

export const ordersConfig = defineServiceConfig({});

export type OrdersConfig = z.infer<typeof ordersConfig>;
