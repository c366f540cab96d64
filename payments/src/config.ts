import { defineServiceConfig } from '@ticketing/common';
import type { z } from 'zod';

export const paymentsConfig = defineServiceConfig({});

export type PaymentsConfig = z.infer<typeof paymentsConfig>;
