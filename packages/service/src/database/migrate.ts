import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { commonMigrations } from './common-migrations';

function check(resultSet: MigrationResultSet, scope: string): void {
  const failed = resultSet.results?.find((result) => result.status === 'Error');
  if (resultSet.error || failed) {
    const cause = resultSet.error instanceof Error ? resultSet.error.message : String(resultSet.error ?? '');
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`${scope} ${what} failed: ${cause}`.trim(), {
      cause: resultSet.error,
    });
  }
}

/**
 * The database lacks migrations this code needs: they are someone else's to apply (MIGRATIONS=external).
 * Start-up waits on it, unlike on a migration that failed.
 *
 * @example
 * await assertSchemaCurrent(db, migrations).catch((error: unknown) => {
 *   if (error instanceof SchemaNotReadyError) logger.info({ pending: error.pending }, 'waiting for the Job');
 *   throw error;
 * });
 */
export class SchemaNotReadyError extends Error {
  constructor(readonly pending: string[]) {
    super(`the schema lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`migrate\``);
    this.name = 'SchemaNotReadyError';
  }
}

function migrators(db: Kysely<unknown>, serviceMigrations: Record<string, Migration>) {
  const sets: Array<[string, Record<string, Migration>]> = [
    ['common', commonMigrations],
    ['service', serviceMigrations],
  ];
  return sets.map(
    ([scope, migrations]) =>
      [
        scope,
        new Migrator({
          db,
          provider: { getMigrations: async () => migrations },
          migrationTableName: `schema_migrations_${scope}`,
          migrationLockTableName: `schema_migrations_${scope}_lock`,
        }),
      ] as const,
  );
}

/**
 * Brings the database to the latest schema: the common tables (the bus's and idempotency keys), then the
 * service's own, each set with its own history table (`schema_migrations_common`,
 * `schema_migrations_service`). Kysely holds a PostgreSQL advisory lock while migrating, so replicas
 * starting together apply each migration once. Returns the migrations it applied (`common/0001_...`), none
 * when up to date.
 *
 * @example
 * const applied = await migrateToLatest(db as Kysely<unknown>, migrations);
 * if (applied.length > 0) logger.info({ applied }, 'migrated');
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  serviceMigrations: Record<string, Migration> = {},
): Promise<string[]> {
  const applied: string[] = [];
  for (const [scope, migrator] of migrators(db, serviceMigrations)) {
    const resultSet = await migrator.migrateToLatest();
    check(resultSet, scope);
    for (const result of resultSet.results ?? []) applied.push(`${scope}/${result.migrationName}`);
  }
  return applied;
}

/**
 * The migrations this code knows that the database has not had (`common/0001_...`); reads only, creating
 * nothing. Migrations the database has and the code does not know (a newer release's) are fine.
 *
 * @example
 * await pendingMigrations(db, migrations); // ['service/0004_refund_status'] before the Job has run
 */
export async function pendingMigrations(
  db: Kysely<unknown>,
  serviceMigrations: Record<string, Migration> = {},
): Promise<string[]> {
  const pending: string[] = [];
  for (const [scope, migrator] of migrators(db, serviceMigrations)) {
    for (const migration of await migrator.getMigrations()) {
      if (!migration.executedAt) pending.push(`${scope}/${migration.name}`);
    }
  }
  return pending;
}

/**
 * Resolves when the database has every migration this code knows; throws `SchemaNotReadyError` if not.
 * What a service checks with MIGRATIONS=external, instead of migrating itself.
 *
 * @example
 * await assertSchemaCurrent(db, migrations);
 */
export async function assertSchemaCurrent(
  db: Kysely<unknown>,
  serviceMigrations: Record<string, Migration> = {},
): Promise<void> {
  const pending = await pendingMigrations(db, serviceMigrations);
  if (pending.length > 0) throw new SchemaNotReadyError(pending);
}
