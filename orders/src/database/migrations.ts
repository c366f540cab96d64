import type { Migration } from 'kysely';

/** The orders service's own schema, in order; common's tables are migrated separately. */
export const migrations: Record<string, Migration> = {};
