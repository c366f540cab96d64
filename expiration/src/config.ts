import { defineServiceConfig } from '@ticketing/service';
import { z } from 'zod';

export const expirationConfig = defineServiceConfig({
  /** Expirations fired per transaction when many fall due at once. */
  EXPIRATION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
});

export type ExpirationConfig = z.infer<typeof expirationConfig>;
