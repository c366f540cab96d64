import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { commonMigrations } from './common-migrations';

function check(resultSet: MigrationResultSet, scope: string): void {
  const failed = resultSet.results?.find((result) => result.status === 'Error');
  if (resultSet.error || failed) {
    const cause = resultSet.error instanceof Error ? resultSet.error.message : String(resultSet.error ?? '');
    throw new Error(`${scope} migration ${failed?.migrationName ?? ''} failed: ${cause}`.trim(), {
      cause: resultSet.error,
    });
  }
}

/**
 * Brings the database to the latest schema: common's tables, then the service's own. Each set keeps its own
 * history table; Kysely holds a PostgreSQL advisory lock while migrating, so replicas starting together
 * apply each migration once.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  serviceMigrations: Record<string, Migration> = {},
) {
  const sets: Array<[string, Record<string, Migration>]> = [
    ['common', commonMigrations],
    ['service', serviceMigrations],
  ];
  for (const [scope, migrations] of sets) {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: `schema_migrations_${scope}`,
      migrationLockTableName: `schema_migrations_${scope}_lock`,
    });
    check(await migrator.migrateToLatest(), scope);
  }
}
