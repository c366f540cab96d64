import { defineServiceConfig } from '@ticketing/common';
import type { z } from 'zod';

export const expirationConfig = defineServiceConfig({});

export type ExpirationConfig = z.infer<typeof expirationConfig>;
