import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AttemptStatus } from '../src/lifecycle/order-payments';
import { attemptStats } from '../src/reporting/attempt-stats';
import { api, paymentsWithSweepOnDemand } from './payments-api';

interface Known {
  at: string;
  status: AttemptStatus;
  code?: string;
  declineCode?: string;
}

/** Attempts at known instants of June 2025, around a window of 1 to 4 June. */
const KNOWN: Known[] = [
  { at: '2025-05-31T23:59:59.999Z', status: 'succeeded' },
  { at: '2025-06-01T01:00:00Z', status: 'succeeded' },
  { at: '2025-06-01T02:15:00Z', status: 'failed', code: 'card_declined', declineCode: 'insufficient_funds' },
  { at: '2025-06-01T05:00:00Z', status: 'pending' },
  { at: '2025-06-01T06:00:00Z', status: 'canceled', code: 'superseded' },
  { at: '2025-06-01T23:59:59.999Z', status: 'failed', code: 'incorrect_cvc' },
  { at: '2025-06-03T00:00:00Z', status: 'failed', code: 'card_declined', declineCode: 'insufficient_funds' },
  { at: '2025-06-03T08:00:00Z', status: 'requires_action' },
  { at: '2025-06-03T09:00:00Z', status: 'succeeded' },
  { at: '2025-06-03T10:00:00Z', status: 'failed', code: 'card_declined', declineCode: 'insufficient_funds' },
  { at: '2025-06-03T11:00:00Z', status: 'succeeded' },
  { at: '2025-06-04T00:00:00Z', status: 'failed', code: 'card_declined', declineCode: 'lost_card' },
];

describe('admin stats', () => {
  const running = paymentsWithSweepOnDemand();
  const stats = async (query: string) =>
    api(running.payments)
      .get(`/api/payments/admin/stats${query}`)
      .set('Authorization', await running.payments.bearer('ops', { admin: true }))
      .expect(200);

  beforeAll(async () => {
    const { db } = running.payments;
    for (const known of KNOWN) {
      const orderId = randomUUID();
      await db
        .insertInto('orders')
        .values({
          id: orderId,
          user_id: 'statistician',
          status: 'created',
          version: 0,
          amount: 1000,
          currency: 'usd',
          expires_at: null,
          deadline_reached_at: null,
          expired_at: null,
        })
        .execute();
      await db
        .insertInto('payment_attempts')
        .values({
          id: randomUUID(),
          order_id: orderId,
          user_id: 'statistician',
          payment_method: 'pm_card_visa',
          status: known.status,
          amount: 1000,
          currency: 'usd',
          stripe_payment_intent_id: null,
          stripe_charge_id: null,
          error_code: known.code ?? null,
          decline_code: known.declineCode ?? null,
          error_message: null,
          // Far in the future: the sweep, were it to run, leaves these rows alone.
          locked_until: new Date('2999-01-01T00:00:00Z'),
          created_at: new Date(known.at),
        })
        .execute();
    }
  });

  it('counts each UTC day of [from, to), the empty one with zeros, and the rate over finished attempts only', async () => {
    const response = await stats('?from=2025-06-01T00:00:00Z&to=2025-06-04T00:00:00Z&bucket=day');
    expect(response.body).toEqual({
      from: '2025-06-01T00:00:00.000Z',
      to: '2025-06-04T00:00:00.000Z',
      bucket: 'day',
      buckets: [
        {
          start: '2025-06-01T00:00:00.000Z',
          attempts: 5,
          succeeded: 1,
          failed: 2,
          canceled: 1,
          successRate: 1 / 3,
          declines: { insufficient_funds: 1, incorrect_cvc: 1 },
        },
        {
          start: '2025-06-02T00:00:00.000Z',
          attempts: 0,
          succeeded: 0,
          failed: 0,
          canceled: 0,
          successRate: null,
          declines: {},
        },
        {
          start: '2025-06-03T00:00:00.000Z',
          attempts: 5,
          succeeded: 2,
          failed: 2,
          canceled: 0,
          successRate: 0.5,
          declines: { insufficient_funds: 2 },
        },
      ],
      totals: { attempts: 10, succeeded: 3, failed: 4, canceled: 1, successRate: 3 / 7 },
      topDeclineCodes: [
        { code: 'insufficient_funds', count: 3 },
        { code: 'incorrect_cvc', count: 1 },
      ],
    });
  });

  it('counts by the hour, the first bucket only from `from` on, whatever offset the window was given in', async () => {
    // 02:30 at +02:00 is 00:30 UTC: the 00:00 bucket holds only what came after 00:30, here nothing.
    const response = await stats('?from=2025-06-01T02:30:00%2B02:00&to=2025-06-01T03:00:00Z&bucket=hour');
    expect(response.body.from).toBe('2025-06-01T00:30:00.000Z');
    expect(
      response.body.buckets.map((bucket: { start: string; attempts: number; failed: number }) => [
        bucket.start.slice(11, 16),
        bucket.attempts,
        bucket.failed,
      ]),
    ).toEqual([
      ['00:00', 0, 0],
      ['01:00', 1, 0],
      ['02:00', 1, 1],
    ]);
    expect(response.body.totals.successRate).toBe(0.5);
  });

  it("keeps to UTC days whatever the session's time zone, across its daylight saving change", async () => {
    const starts = await running.payments.db.transaction().execute(async (trx) => {
      await sql`set local timezone = 'America/New_York'`.execute(trx);
      const window = { from: new Date('2025-03-08T00:00:00Z'), to: new Date('2025-03-11T00:00:00Z') };
      const result = await attemptStats(trx, { ...window, bucket: 'day' });
      return result.buckets.map((bucket) => bucket.start);
    });
    expect(starts).toEqual([
      '2025-03-08T00:00:00.000Z',
      '2025-03-09T00:00:00.000Z',
      '2025-03-10T00:00:00.000Z',
    ]);
  });

  it('covers the last 7 days by day unless told, up to the day now falls in', async () => {
    const before = Date.now();
    const response = await stats('');
    expect(response.body.bucket).toBe('day');
    expect(Date.parse(response.body.to) - Date.parse(response.body.from)).toBe(7 * 86_400_000);
    expect(Date.parse(response.body.to)).toBeGreaterThanOrEqual(before);
    const starts = response.body.buckets.map((bucket: { start: string }) => bucket.start);
    expect(starts.length).toBeGreaterThanOrEqual(7);
    expect(starts.at(-1)).toBe(`${new Date(response.body.to).toISOString().slice(0, 10)}T00:00:00.000Z`);
    expect(response.body.totals).toEqual({
      attempts: 0,
      succeeded: 0,
      failed: 0,
      canceled: 0,
      successRate: null,
    });
    expect(response.body.topDeclineCodes).toEqual([]);
  });
});
