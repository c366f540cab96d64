import { sql, type DeleteResult, type RawBuilder } from 'kysely';
import type { MaintenanceTask } from './maintenance-task';

export interface RetentionSweepOptions {
  name: string;
  schedule?: string;
  /** Rows per statement: short statements keep locks, WAL bursts and replication lag small. */
  batchSize?: number;
  /** Deletes at most `limit` rows past retention: one `delete ... where key in (select ... limit)`. */
  deleteBatch(limit: number): Promise<DeleteResult>;
}

/** A task that deletes rows past their retention in bounded batches, each committed on its own. */
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

/** The retention cutoff, on the database's clock: rows older than this are past retention. */
export function hoursAgo(hours: number): RawBuilder<Date> {
  return sql<Date>`now() - make_interval(hours => ${hours})`;
}
