import type { BackgroundTask } from '@ticketing/common';
import { sql } from 'kysely';
import type { PaymentsContext } from '../context';
import { takeAttempt, unheldAttempts } from '../models/attempt-hold';
import { refundIfOrderCancelled, type OutcomeContext } from '../models/attempt-outcome';
import { expireIfDue, ordersPastDeadline } from '../models/payment-window';
import { processAttempt } from '../models/process-attempt';
import { reconcilePaymentIntent } from '../models/reconcile-stripe-event';
import { cancelIntent } from '../models/settle-cancelled-order';
import { stripeClient } from '../stripe/stripe-client';

const BATCH = 100;

export interface SweepOptions {
  /** A 3-D Secure attempt unchanged this long is read again from Stripe, in case its webhook was lost. */
  staleAfterSeconds: number;
  /** How long the sweep holds an attempt it resumes; see `attempt-hold`. */
  attemptHoldSeconds: number;
}

/**
 * What a crash, a lost webhook or a Stripe outage can leave behind, finished from Stripe's own records:
 * orders past their deadline whose last attempt has settled; payments taken for orders cancelled
 * meanwhile; 3-D Secure attempts whose order's time ran out or that was cancelled (their intent is
 * cancelled, so the buyer cannot pay late), or whose webhook never came; attempts nobody holds any more
 * (cut off between Stripe's answer and our commit, never sent, or left pending by a Stripe failure); and
 * intents Stripe says succeeded that have no payment here. The stages that need only the database come
 * first, so a Stripe outage does not hold them up. Every step is idempotent, so replicas may sweep at the
 * same time, and each item is on its own: one that fails is logged and tried again next time.
 */
export async function sweepOnce(context: OutcomeContext, options: SweepOptions): Promise<void> {
  const { db, stripe } = context;
  const sweepContext = { ...context, attemptHoldSeconds: options.attemptHoldSeconds };
  const each = async <T>(items: T[], what: string, work: (item: T) => Promise<unknown>) => {
    for (const item of items) {
      await work(item).catch((error: unknown) =>
        context.logger.warn({ err: error, item }, `sweep could not ${what}; will try again`),
      );
    }
  };

  await each(await ordersPastDeadline(db, BATCH), 'close an order past its deadline', ({ id }) =>
    expireIfDue(db, id),
  );

  const keptForCancelledOrders = await db
    .selectFrom('payments')
    .innerJoin('orders', 'orders.id', 'payments.order_id')
    .selectAll('payments')
    .where('payments.status', '=', 'succeeded')
    .where('orders.status', '=', 'cancelled')
    .limit(BATCH)
    .execute();
  await each(keptForCancelledOrders, 'refund a payment for a cancelled order', (payment) =>
    refundIfOrderCancelled(context, payment),
  );

  const waitingOnBuyer = await db
    .selectFrom('payment_attempts')
    .innerJoin('orders', 'orders.id', 'payment_attempts.order_id')
    .select([
      'payment_attempts.id',
      'payment_attempts.stripe_payment_intent_id as intentId',
      sql<boolean>`orders.status = 'cancelled' or orders.deadline_reached_at is not null or orders.expires_at <= now()`.as(
        'overdue',
      ),
    ])
    .where('payment_attempts.status', '=', 'requires_action')
    .where('payment_attempts.stripe_payment_intent_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('orders.status', '=', 'cancelled'),
        eb('orders.deadline_reached_at', 'is not', null),
        eb('orders.expires_at', '<=', sql<Date>`now()`),
        eb(
          'payment_attempts.updated_at',
          '<',
          sql<Date>`now() - ${options.staleAfterSeconds}::float8 * interval '1 second'`,
        ),
      ]),
    )
    .orderBy('payment_attempts.updated_at')
    .limit(BATCH)
    .execute();
  await each(waitingOnBuyer, 'settle a 3-D Secure attempt', async ({ id, intentId, overdue }) => {
    const intent = overdue
      ? await cancelIntent(stripe, intentId as string)
      : await stripe.paymentIntents.retrieve(intentId as string);
    await reconcilePaymentIntent(context, intent);
    // Read again only once it is stale again, not at every pass.
    await db
      .updateTable('payment_attempts')
      .set({ updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'requires_action')
      .execute();
  });

  await each(await unheldAttempts(db, BATCH), 'resume an attempt', async ({ id }) => {
    const attempt = await takeAttempt(db, id, options.attemptHoldSeconds);
    if (attempt) await processAttempt(sweepContext, attempt);
  });

  const succeededUnrecorded = await db
    .selectFrom('stripe_payment_intents')
    .leftJoin('payments', 'payments.stripe_payment_intent_id', 'stripe_payment_intents.id')
    .select('stripe_payment_intents.id')
    .where('stripe_payment_intents.status', '=', 'succeeded')
    .where('payments.id', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('payment_attempts')
          .select('payment_attempts.id')
          .whereRef('payment_attempts.stripe_payment_intent_id', '=', 'stripe_payment_intents.id'),
      ),
    )
    .limit(BATCH)
    .execute();
  await each(succeededUnrecorded, 'record a payment Stripe took', async ({ id }) =>
    reconcilePaymentIntent(context, await stripe.paymentIntents.retrieve(id)),
  );
}

/** Runs the sweep at start-up, for what the last run of the service left, and every interval after. */
export function reconciliationSweep({ db, config, logger }: PaymentsContext): BackgroundTask {
  const context = { db, stripe: stripeClient(config), logger };
  const options = {
    staleAfterSeconds: config.PAYMENT_RECONCILE_AFTER_SECONDS,
    attemptHoldSeconds: config.PAYMENT_ATTEMPT_HOLD_SECONDS,
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = () => {
    running = sweepOnce(context, options)
      .catch((error: unknown) => logger.warn({ err: error }, 'reconciliation sweep failed; will try again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(sweep, config.PAYMENT_RECONCILE_INTERVAL_SECONDS * 1000);
      });
  };
  return {
    async start() {
      sweep();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
