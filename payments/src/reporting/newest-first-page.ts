import type { KeysetPosition } from '@ticketing/service';
import { sql, type SelectQueryBuilder } from 'kysely';

/** A page of a list filtered on creation time: [from, to), after the cursor's position. */
export interface CreatedWindowPage {
  from?: Date;
  to?: Date;
  after?: KeysetPosition;
  limit: number;
}

/**
 * Orders a list newest first by `table`'s (created_at, id), keeps the rows created in [from, to), starts it
 * after the cursor, and asks for one row more than the page so that the sender knows whether there is more.
 */
export function newestFirstPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  table: string,
  page: CreatedWindowPage,
): SelectQueryBuilder<DB, TB, O> {
  const createdAt = sql.ref(`${table}.created_at`);
  const id = sql.ref(`${table}.id`);
  let paged = query
    .orderBy(createdAt, 'desc')
    .orderBy(id, 'desc')
    .limit(page.limit + 1);
  if (page.from) paged = paged.where(sql<boolean>`${createdAt} >= ${page.from}`);
  if (page.to) paged = paged.where(sql<boolean>`${createdAt} < ${page.to}`);
  if (page.after) {
    paged = paged.where(
      sql<boolean>`(${createdAt}, ${id}) < (${page.after.createdAt}, ${page.after.id}::uuid)`,
    );
  }
  return paged;
}
