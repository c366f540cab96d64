import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';

export type StatsBucket = 'hour' | 'day';

/** Attempts created in [from, to), counted per bucket. */
export interface StatsWindow {
  from: Date;
  to: Date;
  bucket: StatsBucket;
}

const counts = {
  attempts: z.number().int().describe('attempts created, whatever came of them'),
  succeeded: z.number().int(),
  failed: z.number().int().describe('declined or refused by Stripe'),
  canceled: z
    .number()
    .int()
    .describe(
      'withdrawn by us (order off or past its deadline, another method tried): not a result of the card',
    ),
  successRate: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('succeeded / (succeeded + failed), from 0 to 1; null when none of them finished'),
};

export const attemptStatsResponse = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  bucket: z.enum(['hour', 'day']),
  buckets: z
    .array(
      z.object({
        start: z.iso.datetime({ offset: true }).describe('UTC hour or midnight'),
        ...counts,
        declines: z
          .record(z.string(), z.number().int())
          .describe('failed attempts by decline code (the error code when Stripe gave none)'),
      }),
    )
    .describe('every bucket of the window, oldest first, empty ones with zeros'),
  totals: z.object(counts),
  topDeclineCodes: z
    .array(z.object({ code: z.string(), count: z.number().int() }))
    .describe('the ten commonest in the window, commonest first'),
});

export type AttemptStats = z.infer<typeof attemptStatsResponse>;

const TOP_DECLINE_CODES = 10;
const STEP: Record<StatsBucket, string> = {
  hour: '1 hour',
  // Hours, not '1 day': a day added to a timestamptz follows the session's time zone, DST and all.
  day: '24 hours',
};

/** The share of finished attempts (succeeded or failed) that succeeded: open and withdrawn ones say nothing about cards. */
export function successRate(succeeded: number, failed: number): number | null {
  return succeeded + failed === 0 ? null : succeeded / (succeeded + failed);
}

interface BucketRow {
  start: Date;
  attempts: number;
  succeeded: number;
  failed: number;
  canceled: number;
  declines: Record<string, number>;
}

/** Success and declines over time, counted in SQL: one row per bucket, the empty ones included. */
export async function attemptStats(db: Kysely<PaymentsDatabase>, window: StatsWindow): Promise<AttemptStats> {
  const { from, to, bucket } = window;
  const windowed = sql`
    select date_trunc(${bucket}, created_at, 'UTC') as start, status,
           coalesce(decline_code, error_code, 'unknown') as code
    from payment_attempts
    where created_at >= ${from} and created_at < ${to}`;
  const buckets = await sql<BucketRow>`
    with windowed as (${windowed}),
    counted as (
      select start,
             count(*)::int as attempts,
             count(*) filter (where status = 'succeeded')::int as succeeded,
             count(*) filter (where status = 'failed')::int as failed,
             count(*) filter (where status = 'canceled')::int as canceled
      from windowed group by start
    ),
    declined as (
      select start, jsonb_object_agg(code, n) as declines
      from (select start, code, count(*)::int as n from windowed where status = 'failed' group by start, code) d
      group by start
    )
    select series.start,
           coalesce(counted.attempts, 0) as attempts,
           coalesce(counted.succeeded, 0) as succeeded,
           coalesce(counted.failed, 0) as failed,
           coalesce(counted.canceled, 0) as canceled,
           coalesce(declined.declines, '{}'::jsonb) as declines
    from generate_series(
           date_trunc(${bucket}, ${from}::timestamptz, 'UTC'), ${to}::timestamptz, ${STEP[bucket]}::interval
         ) as series (start)
    left join counted on counted.start = series.start
    left join declined on declined.start = series.start
    where series.start < ${to}
    order by series.start`.execute(db);
  const top = await sql<{ code: string; count: number }>`
    with windowed as (${windowed})
    select code, count(*)::int as count from windowed where status = 'failed'
    group by code order by count desc, code limit ${TOP_DECLINE_CODES}`.execute(db);

  const totals = { attempts: 0, succeeded: 0, failed: 0, canceled: 0 };
  for (const row of buckets.rows) {
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += row[key];
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    buckets: buckets.rows.map((row) => ({
      start: row.start.toISOString(),
      attempts: row.attempts,
      succeeded: row.succeeded,
      failed: row.failed,
      canceled: row.canceled,
      successRate: successRate(row.succeeded, row.failed),
      declines: row.declines,
    })),
    totals: { ...totals, successRate: successRate(totals.succeeded, totals.failed) },
    topDeclineCodes: top.rows,
  };
}
