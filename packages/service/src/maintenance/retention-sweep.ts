import { sql, type DeleteResult, type RawBuilder } from 'kysely';
import type { MaintenanceTask } from './maintenance-task';

/** A sweep's name and schedule, and the one statement that deletes a batch of rows past retention. */
export interface RetentionSweepOptions {
  name: string;
  schedule?: string;
  /** Rows per statement: short statements keep locks, WAL bursts and replication lag small. */
  batchSize?: number;
  /** Deletes at most `limit` rows past retention: one `delete ... where key in (select ... limit)`. */
  deleteBatch(limit: number): Promise<DeleteResult>;
}

/**
 * A task that deletes rows past their retention in bounded batches, each committed on its own.
 *
 * @example
 * retentionSweep({
 *   name: 'abandoned-orders',
 *   deleteBatch: (limit) =>
 *     db
 *       .deleteFrom('orders')
 *       .where('id', 'in', (eb) =>
 *         eb
 *           .selectFrom('orders')
 *           .select('id')
 *           .where('status', '=', 'cancelled')
 *           .where('updated_at', '<', hoursAgo(24 * 30))
 *           .limit(limit),
 *       )
 *       .executeTakeFirstOrThrow(),
 * });
 */
export function retentionSweep({
  name,
  schedule,
  batchSize = 1000,
  deleteBatch,
}: RetentionSweepOptions): MaintenanceTask {
  return {
    name,
    schedule,
    async run(signal) {
      let removed = 0;
      while (!signal.aborted) {
        const deleted = Number((await deleteBatch(batchSize)).numDeletedRows);
        removed += deleted;
        if (deleted < batchSize) break;
      }
      return removed;
    },
  };
}

/**
 * The retention cutoff, on the database's clock (the replicas' clocks may disagree): rows older than this
 * are past retention.
 *
 * @example
 * db.selectFrom('inbox').select('event_id').where('processed_at', '<', hoursAgo(168));
 */
export function hoursAgo(hours: number): RawBuilder<Date> {
  return sql<Date>`now() - make_interval(hours => ${hours})`;
}
