/**
 * What PostgreSQL runs for a benchmark's load, from pg_stat_statements and the table statistics: the
 * statements per request (or per flow) with their planning and execution, and the row writes per table
 * with the indexes they pay for. The benchmarks turn it on with `-- --statements`.
 */
import pg from 'pg';
import type { PostgresServer } from '@ticketing/testing';

/** Marks the bench's own queries, so that the statement statistics leave them out. */
export const BENCH_MARK = '/* bench */';

export async function sql<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  statement: string,
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(statement)).rows;
  } finally {
    await client.end();
  }
}

/** Loads pg_stat_statements (a restart), tracking nested statements (triggers') and planning too. */
export async function enableStatementStatistics(postgres: PostgresServer): Promise<void> {
  await sql(postgres.url(), "alter system set shared_preload_libraries = 'pg_stat_statements'");
  await postgres.stopImmediately();
  await postgres.restart();
  // The module's own settings exist once it is loaded; both take effect on a reload.
  await sql(postgres.url(), "alter system set pg_stat_statements.track = 'all'");
  await sql(postgres.url(), 'alter system set pg_stat_statements.track_planning = on');
  await sql(postgres.url(), 'select pg_reload_conf()');
}

export interface StatementRow {
  query: string;
  toplevel: boolean;
  calls: string;
  plans: string;
  total_plan_time: number;
  total_exec_time: number;
  rows: string;
}

/** What pg_stat_statements recorded in `database` since its last reset, costliest first. */
export async function statementsOf(url: string, database: string): Promise<StatementRow[]> {
  return sql<StatementRow>(
    url,
    `${BENCH_MARK} select query, toplevel, calls, plans, total_plan_time, total_exec_time, rows
     from pg_stat_statements s join pg_database d on d.oid = s.dbid
     where d.datname = '${database}' and query not like '%/* bench */%'
     order by total_plan_time + total_exec_time desc`,
  );
}

/**
 * One row per statement, the variants of a statement that differ only in the length of a parameter list
 * (the relay's `where seq in ($1, ..., $n)`) counted together.
 */
function mergeListVariants(statements: StatementRow[]): StatementRow[] {
  const merged = new Map<string, StatementRow>();
  for (const statement of statements) {
    const text = statement.query
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/ in \(\$\d+(, ?\$\d+)+\)/gi, () => ' in ($1, ..., $n)');
    const key = `${statement.toplevel}:${text}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...statement, query: text });
      continue;
    }
    seen.calls = String(Number(seen.calls) + Number(statement.calls));
    seen.plans = String(Number(seen.plans) + Number(statement.plans));
    seen.rows = String(Number(seen.rows) + Number(statement.rows));
    seen.total_plan_time += statement.total_plan_time;
    seen.total_exec_time += statement.total_exec_time;
  }
  const totalMs = (statement: StatementRow) => statement.total_plan_time + statement.total_exec_time;
  return [...merged.values()].sort((a, b) => totalMs(b) - totalMs(a));
}

/**
 * The statements, per `unit` (a request, a flow) of which the load had `units`; `dbCpuUs` is what
 * PostgreSQL's processes spent per unit, for comparison.
 */
export function printStatements(
  title: string,
  recorded: StatementRow[],
  { units, unit, dbCpuUs }: { units: number; unit: string; dbCpuUs: number },
) {
  const statements = mergeListVariants(recorded);
  const totalMs = (statement: StatementRow) => statement.total_plan_time + statement.total_exec_time;
  const topLevelMs = statements
    .filter((statement) => statement.toplevel)
    .reduce((sum, statement) => sum + totalMs(statement), 0);
  const short = unit === 'request' ? 'req' : unit;
  const columns = [`calls/${short}`, 'plans/call', 'plan µs', 'exec µs', `µs/${short}`, 'share', 'rows/call'];
  const cell = (value: number | string, digits = 2) =>
    (typeof value === 'string'
      ? value
      : value.toLocaleString('en-US', { maximumFractionDigits: digits })
    ).padStart(11);
  console.log(`\n${title}`);
  console.log(`${columns.map((column) => cell(column)).join('')}  statement`);
  for (const statement of statements) {
    const calls = Number(statement.calls);
    // Statements of less than one call per 1,000 units are background work (polls, sweeps): left out.
    if (calls * 1000 < units) continue;
    const text = statement.query;
    console.log(
      [
        cell(calls / units, 3),
        cell(Number(statement.plans) / calls),
        cell((statement.total_plan_time * 1000) / Math.max(1, Number(statement.plans)), 1),
        cell((statement.total_exec_time * 1000) / calls, 1),
        cell((totalMs(statement) * 1000) / units, 1),
        cell(statement.toplevel ? `${((totalMs(statement) / topLevelMs) * 100).toFixed(1)}%` : 'nested'),
        cell(Number(statement.rows) / calls),
      ].join('') +
        `  ${statement.toplevel ? '' : '↳ '}${text.length > 140 ? `${text.slice(0, 137)}...` : text}`,
    );
  }
  for (const statement of statements.filter((s) => s.toplevel && totalMs(s) >= topLevelMs * 0.05)) {
    if (statement.query.length > 140) console.log(`  In full: ${statement.query}`);
  }
  console.log(
    `  Top-level plan + execution: ${((topLevelMs * 1000) / units).toFixed(1)} µs per ${unit}, of ` +
      `${dbCpuUs.toFixed(1)} µs PostgreSQL CPU (the rest: parsing, protocol, commits and WAL, NOTIFY delivery,\n` +
      '  background processes). Times are wall-clock, waits for a core included. "nested" statements ran\n' +
      "  inside a top-level one (a trigger's, a foreign key's check) and are part of its execution time.",
  );
}

interface TableRow {
  relname: string;
  n_tup_ins: string;
  n_tup_upd: string;
  n_tup_hot_upd: string;
  n_tup_del: string;
  indexes: string;
}

/**
 * Row writes per request in each table since the last pg_stat_reset(), and the indexes each write may pay
 * for: an update that changes an indexed column (or one in an index's predicate) is not HOT, and adds an
 * entry to every index of the table. Idle backends report their counts within 10 s: wait that long first
 * (`settleTableStatistics`).
 */
export async function printTableWrites(url: string, { units, unit }: { units: number; unit: string }) {
  const tables = await sql<TableRow>(
    url,
    `${BENCH_MARK} select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del,
       (select string_agg(indexrelid::regclass::text, ', ' order by indexrelid) from pg_index
        where indrelid = t.relid) as indexes
     from pg_stat_user_tables t where n_tup_ins + n_tup_upd + n_tup_del > 0 order by relname`,
  );
  const database = new URL(url).pathname.slice(1);
  console.log(`\nRow writes per ${unit} in ${database} (pg_stat_user_tables), and the indexes of each table`);
  for (const table of tables) {
    const perRequest = (count: string) => (Number(count) / units).toFixed(3);
    console.log(
      `  ${table.relname}: ${perRequest(table.n_tup_ins)} inserted, ${perRequest(table.n_tup_upd)} updated ` +
        `(${perRequest(table.n_tup_hot_upd)} of them HOT), ${perRequest(table.n_tup_del)} deleted; ` +
        `indexes: ${table.indexes}`,
    );
  }
}

/**
 * Starts the statistics afresh: statements and table counts. Idle backends report their table counts
 * within 10 s, so this first waits that long, for the counts of what ran before to be in before the reset.
 * The first database must have the extension; the table counts are reset in each.
 */
export async function resetStatementStatistics([first, ...others]: [string, ...string[]]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  await sql(first, `${BENCH_MARK} select pg_stat_statements_reset()`);
  for (const url of [first, ...others]) await sql(url, `${BENCH_MARK} select pg_stat_reset()`);
}

/** Idle backends report their table counts within 10 s of their last transaction: this waits that long. */
export function settleTableStatistics(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 11_000));
}
