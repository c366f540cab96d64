import type { BackgroundTask } from '@ticketing/common';
import { sql } from 'kysely';
import type { PaymentsContext } from '../context';
import { refundIfOrderCancelled, type OutcomeContext } from '../models/attempt-outcome';
import { processAttempt } from '../models/process-attempt';
import { reconcilePaymentIntent } from '../models/reconcile-stripe-event';
import { stripeClient } from '../stripe/stripe-client';

const BATCH = 100;

/**
 * What a crash, a lost webhook or a Stripe outage can leave behind, finished from Stripe's own records:
 * attempts still pending (cut off between Stripe's answer and our commit, or never sent), 3-D Secure
 * attempts whose webhook never came, and payments taken for orders cancelled meanwhile. Every step is
 * idempotent, so replicas may sweep at the same time.
 */
export async function sweepOnce(context: OutcomeContext, staleAfterSeconds: number): Promise<void> {
  const { db, stripe } = context;
  const cutoff = sql<Date>`now() - ${staleAfterSeconds}::float8 * interval '1 second'`;
  const stale = await db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('status', 'in', ['pending', 'requires_action'])
    .where('updated_at', '<', cutoff)
    .orderBy('updated_at')
    .limit(BATCH)
    .execute();
  for (const attempt of stale) {
    if (attempt.status === 'pending') await processAttempt(context, attempt);
    else if (attempt.stripe_payment_intent_id) {
      await reconcilePaymentIntent(
        context,
        await stripe.paymentIntents.retrieve(attempt.stripe_payment_intent_id),
      );
    }
  }
  const keptForCancelledOrders = await db
    .selectFrom('payments')
    .innerJoin('orders', 'orders.id', 'payments.order_id')
    .selectAll('payments')
    .where('payments.status', '=', 'succeeded')
    .where('orders.status', '=', 'cancelled')
    .limit(BATCH)
    .execute();
  for (const payment of keptForCancelledOrders) await refundIfOrderCancelled(context, payment);
}

/** Runs the sweep every PAYMENT_RECONCILE_INTERVAL_SECONDS. */
export function reconciliationSweep({ db, config, logger }: PaymentsContext): BackgroundTask {
  const context = { db, stripe: stripeClient(config), logger };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce(context, config.PAYMENT_RECONCILE_AFTER_SECONDS)
        .catch((error: unknown) => logger.error({ err: error }, 'reconciliation sweep failed'))
        .finally(schedule);
    }, config.PAYMENT_RECONCILE_INTERVAL_SECONDS * 1000);
  };
  return {
    async start() {
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
