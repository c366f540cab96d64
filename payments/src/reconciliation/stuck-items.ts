import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';

const itemFigures = z.object({ count: z.number().int(), oldestSeconds: z.number() });

/** Things the sweep has not been able to finish yet, with how long the oldest has waited. */
export const stuckItemsResponse = z.object({
  attemptsCutOff: itemFigures.describe('pending, nobody holds them'),
  attemptsAwaitingBuyer: itemFigures.describe('3-D Secure, over a minute'),
  ordersAwaitingVerdict: itemFigures.describe('past their deadline'),
  refundsNotSent: itemFigures.describe('requested, not acknowledged by Stripe for a minute'),
  refundsPending: itemFigures.describe('at Stripe, not settled yet'),
  refundsFailed: itemFigures.describe(
    'failed, and the money is not all back: an operator should look (an automatic one is retried, five times at most)',
  ),
});

export type StuckItems = z.infer<typeof stuckItemsResponse>;

const age = (column: string) =>
  sql<number>`coalesce(extract(epoch from now() - min(${sql.ref(column)})), 0)::float8`.as('oldest');

/**
 * Counts what is stuck, for the admin API and the metrics: a number that stays above zero, or an age that
 * keeps growing, is what an operator looks into.
 */
export async function stuckItems(db: Kysely<PaymentsDatabase>): Promise<StuckItems> {
  const figures = async (query: Promise<{ count: number | string | bigint; oldest: number } | undefined>) => {
    const row = await query;
    return { count: Number(row?.count ?? 0), oldestSeconds: Math.round(Number(row?.oldest ?? 0)) };
  };
  const attempts = (status: 'pending' | 'requires_action') =>
    db
      .selectFrom('payment_attempts')
      .select((eb) => [eb.fn.countAll().as('count')])
      .where('status', '=', status);
  return {
    attemptsCutOff: await figures(
      attempts('pending')
        .select(age('updated_at'))
        .where('locked_until', '<', sql<Date>`now()`)
        .executeTakeFirst(),
    ),
    attemptsAwaitingBuyer: await figures(
      attempts('requires_action')
        .select(age('updated_at'))
        .where('updated_at', '<', sql<Date>`now() - interval '1 minute'`)
        .executeTakeFirst(),
    ),
    ordersAwaitingVerdict: await figures(
      db
        .selectFrom('orders')
        .select((eb) => [eb.fn.countAll().as('count'), age('deadline_reached_at')])
        .where('deadline_reached_at', 'is not', null)
        .where('expired_at', 'is', null)
        .where('status', 'in', ['created', 'awaiting:payment'])
        .executeTakeFirst(),
    ),
    refundsNotSent: await figures(
      db
        .selectFrom('refunds')
        .select((eb) => [eb.fn.countAll().as('count'), age('created_at')])
        .where('status', '=', 'requested')
        .where('updated_at', '<', sql<Date>`now() - interval '1 minute'`)
        .executeTakeFirst(),
    ),
    refundsPending: await figures(
      db
        .selectFrom('refunds')
        .select((eb) => [eb.fn.countAll().as('count'), age('created_at')])
        .where('status', '=', 'pending')
        .executeTakeFirst(),
    ),
    refundsFailed: await figures(
      db
        .selectFrom('refunds')
        .innerJoin('payments', 'payments.id', 'refunds.payment_id')
        .select((eb) => [eb.fn.countAll().as('count'), age('refunds.updated_at')])
        .where('refunds.status', '=', 'failed')
        // Once the money has all gone back by another refund, a failed one is history, not work.
        .where('payments.status', '=', 'succeeded')
        .executeTakeFirst(),
    ),
  };
}
