import { sql } from 'kysely';
import { waitFor } from '@ticketing/testing';
import { startPayments, type PaymentsUnderTest } from './payments-api';

describe('payments maintenance', () => {
  let payments: PaymentsUnderTest;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ payments, stop } = await startPayments({
      MAINTENANCE_SCHEDULE: '* * * * * *',
      STRIPE_EVENT_RETENTION_DAYS: '4',
    }));
  });

  afterAll(async () => {
    await stop();
  });

  it('forgets received Stripe events older than the retention, and only those', async () => {
    await payments.db
      .insertInto('stripe_events')
      .values([
        { id: 'evt_old', type: 'payment_intent.succeeded' },
        { id: 'evt_recent', type: 'payment_intent.succeeded' },
      ])
      .execute();
    await payments.db
      .updateTable('stripe_events')
      .set({ received_at: sql`now() - interval '5 days'` })
      .where('id', '=', 'evt_old')
      .execute();
    await waitFor(
      async () =>
        !(await payments.db
          .selectFrom('stripe_events')
          .select('id')
          .where('id', '=', 'evt_old')
          .executeTakeFirst()),
    );
    const left = await payments.db.selectFrom('stripe_events').select('id').execute();
    expect(left.map((row) => row.id)).toEqual(['evt_recent']);
  });
});
