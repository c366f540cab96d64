import { hoursAgo, retentionSweep, type MaintenanceTask } from '@ticketing/service';
import type { PaymentsContext } from '../context';

/**
 * Forgets received Stripe event ids after STRIPE_EVENT_RETENTION_DAYS. Stripe stops retrying a webhook
 * after three days, so an id older than the retention can no longer arrive again as a duplicate.
 */
export function stripeEventsSweep({ db, config }: PaymentsContext): MaintenanceTask {
  return retentionSweep({
    name: 'stripe-events',
    deleteBatch: (limit) =>
      db
        .deleteFrom('stripe_events')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('stripe_events')
            .select('id')
            .where('received_at', '<', hoursAgo(config.STRIPE_EVENT_RETENTION_DAYS * 24))
            .limit(limit),
        )
        .executeTakeFirstOrThrow(),
  });
}
