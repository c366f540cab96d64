import type { Migration } from 'kysely';

/** The expiration service's own schema, in order; common's tables are migrated separately. */
export const migrations: Record<string, Migration> = {};
