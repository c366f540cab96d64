import { RequestValidationError } from '@ticketing/service';
import { z } from 'zod';
import type { StatsBucket, StatsWindow } from '../../reporting/attempt-stats';
import { timeWindowFields, windowInOrder } from './time-window';

const HOUR_MS = 3_600_000;
const BUCKET_MS: Record<StatsBucket, number> = { hour: HOUR_MS, day: 24 * HOUR_MS };
const DEFAULT_SPAN_MS = 7 * BUCKET_MS.day;
/** More points than a chart can show: a window that needs more is asked for with a longer bucket. */
export const MAX_BUCKETS = 1000;

export const statsQuery = z
  .object({
    from: timeWindowFields.from.describe(
      'attempts created at or after this instant, 7 days before `to` by default (ISO 8601 with Z or an offset)',
    ),
    to: timeWindowFields.to.describe('attempts created before this instant, now by default'),
    bucket: z
      .enum(['hour', 'day'], { error: 'bucket must be hour or day' })
      .default('day')
      .describe('bucket size; buckets start on UTC hours or UTC midnights'),
  })
  .superRefine(windowInOrder);

/**
 * How many buckets the window spans: the first starts at `from` truncated to the bucket (in UTC, as the
 * query's date_trunc does), the last is the one `to` falls in, exclusive.
 */
export function bucketCount(from: Date, to: Date, bucket: StatsBucket): number {
  const size = BUCKET_MS[bucket];
  const first = Math.floor(from.getTime() / size) * size;
  return Math.max(0, Math.ceil((to.getTime() - first) / size));
}

/** The window the stats cover: up to now and the 7 days before unless told, at most MAX_BUCKETS buckets. */
export function statsWindow(query: z.infer<typeof statsQuery>, now: Date): StatsWindow {
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS);
  if (from > to) {
    throw new RequestValidationError([
      { field: 'from', message: 'from must not be after to, which is now unless given' },
    ]);
  }
  const count = bucketCount(from, to, query.bucket);
  if (count > MAX_BUCKETS) {
    throw new RequestValidationError([
      {
        field: 'from',
        message: `from..to spans ${count} ${query.bucket} buckets, more than ${MAX_BUCKETS}: narrow the window or use longer buckets`,
      },
    ]);
  }
  return { from, to, bucket: query.bucket };
}
