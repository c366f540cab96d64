import { sql, type Kysely } from 'kysely';
import { createDatabase } from '@ticketing/bus';
import { createTestInfrastructure, type TestInfrastructure } from '@ticketing/testing';
import { createPool } from '../src/database/create-database';
import { MAX_PREPARED_PER_CONNECTION } from '../src/database/preparing-client';

/** The statements the (only) connection of `db` has prepared, by text. */
async function preparedStatements(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
  return rows.map((row) => row.statement);
}

describe('named prepared statements', () => {
  let infra: TestInfrastructure;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    db = createDatabase<unknown>({ connectionString: infra.databaseUrl, maxConnections: 1 });
    await sql`create table seats (id int primary key, holder text)`.execute(db);
    await sql`insert into seats values (1, 'a'), (2, 'b')`.execute(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await infra?.dispose();
  });

  it('prepares a parameterised statement once per connection and reuses it', async () => {
    const text = 'select holder from seats where id = $1';
    const first = await sql<{ holder: string }>`select holder from seats where id = ${1}`.execute(db);
    const second = await sql<{ holder: string }>`select holder from seats where id = ${2}`.execute(db);
    expect([first.rows, second.rows]).toEqual([[{ holder: 'a' }], [{ holder: 'b' }]]);
    expect((await preparedStatements(db)).filter((statement) => statement === text)).toHaveLength(1);
  });

  it('names no more than the cap of distinct texts per connection, and runs the rest unnamed', async () => {
    const extra = 5;
    for (let n = 0; n < MAX_PREPARED_PER_CONNECTION + extra; n += 1) {
      const { rows } = await sql<{ sum: number }>`select ${sql.raw(String(n))} + ${1}::int as sum`.execute(
        db,
      );
      expect(rows).toEqual([{ sum: n + 1 }]);
    }
    expect((await preparedStatements(db)).length).toBe(MAX_PREPARED_PER_CONNECTION);
  });

  it('survives DDL that changes the result columns of a prepared statement', async () => {
    await sql`create table rows_changing (id int primary key)`.execute(db);
    await sql`insert into rows_changing values (1)`.execute(db);
    await db.destroy();
    db = createDatabase<unknown>({ connectionString: infra.databaseUrl, maxConnections: 1 });
    const read = () => sql`select * from rows_changing where id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1 }]);
    await sql`alter table rows_changing add column note text default 'x'`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, note: 'x' }]);
    expect((await read()).rows).toEqual([{ id: 1, note: 'x' }]);
  });

  it('leaves queries without parameters on the simple protocol, several statements included', async () => {
    const pool = createPool({ connectionString: infra.databaseUrl, maxConnections: 1 });
    try {
      const results = (await pool.query(
        'begin; set local enable_bitmapscan = off; select count(*)::int as n from seats; commit',
      )) as unknown as { rows: unknown[] }[];
      expect(results[2]?.rows).toEqual([{ n: 2 }]);
    } finally {
      await pool.end();
    }
  });
});
