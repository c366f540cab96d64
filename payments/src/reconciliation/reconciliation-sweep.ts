import { Gauge, PollingWorker, sharedMetric, type Registry } from '@ticketing/bus';
import { type BackgroundTask } from '@ticketing/service';
import { sql } from 'kysely';
import { paymentWork, type PaymentsContext } from '../context';
import { deadlineReached, orderCancelled } from '../lifecycle/payment-lifecycle';
import { takeAttempt, unheldAttempts } from '../models/attempt-hold';
import {
  decideNow,
  observeIntent,
  observeRefund,
  readRefunds,
  sendRefund,
  type PaymentWork,
} from '../models/payment-triggers';
import { processAttempt } from '../models/process-attempt';
import { cancelIntent } from '../stripe/stripe-requests';
import { whenStripeIsDown } from '../stripe/stripe-failures';
import { stuckItems } from './stuck-items';

const BATCH = 100;
/** Payments whose refunds are read again from Stripe per pass, oldest read first. */
const REFUND_CHECKS_PER_PASS = 20;

export interface SweepOptions {
  /** A 3-D Secure attempt or a pending refund unchanged this long is read again from Stripe. */
  staleAfterSeconds: number;
  /** How long the sweep holds an attempt it resumes; see `attempt-hold`. */
  attemptHoldSeconds: number;
  /** A refund requested this long ago and not acknowledged by Stripe is sent again (same key). */
  resendAfterSeconds?: number;
  /** A payment's refunds are read again from Stripe this often for a week, in case a webhook was lost. */
  refundCheckIntervalSeconds?: number;
}

const olderThan = (seconds: number) => sql<Date>`now() - ${seconds}::float8 * interval '1 second'`;

/**
 * What a crash, a lost webhook or a Stripe outage can leave behind, finished from Stripe's own records:
 * orders past their deadline whose last attempt has settled; cancelled orders still owed their money or
 * with an intent still open; refunds asked for but not acknowledged by Stripe (sent again under the same
 * key), pending ones, and ones made at Stripe whose webhook was lost; 3-D Secure attempts whose order's time
 * ran out (their intent is cancelled, so the buyer cannot pay late) or whose webhook never came; attempts
 * nobody holds any more; and intents Stripe says succeeded that have no payment here. The stages that need
 * only the database come first, so a Stripe outage does not hold them up. Every step goes through the
 * payment lifecycle and is idempotent, so replicas may sweep at the same time, and each item is on its
 * own: one that fails is logged and tried again next time.
 */
export async function sweepOnce(work: PaymentWork, options: SweepOptions): Promise<void> {
  const { db, stripe } = work;
  const held = { ...work, attemptHoldSeconds: options.attemptHoldSeconds };
  const each = async <T>(items: T[], what: string, step: (item: T) => Promise<unknown>) => {
    for (const item of items) {
      await step(item).catch((error: unknown) =>
        work.logger.warn({ err: error, item }, `sweep could not ${what}; will try again`),
      );
    }
  };

  const pastDeadline = await db
    .selectFrom('orders')
    .select('id')
    .where('deadline_reached_at', 'is not', null)
    .where('expired_at', 'is', null)
    .where('status', 'in', ['created', 'awaiting:payment'])
    .orderBy('deadline_reached_at')
    .limit(BATCH)
    .execute();
  await each(pastDeadline, 'close an order past its deadline', ({ id }) =>
    decideNow(work, id, deadlineReached),
  );

  const cancelledWithWork = await db
    .selectFrom('orders')
    .select('orders.id')
    .where('orders.status', '=', 'cancelled')
    .where(({ exists, selectFrom, or }) =>
      or([
        exists(
          selectFrom('payments')
            .select('payments.id')
            .whereRef('payments.order_id', '=', 'orders.id')
            .where('payments.status', '=', 'succeeded'),
        ),
        exists(
          selectFrom('payment_attempts')
            .select('payment_attempts.id')
            .whereRef('payment_attempts.order_id', '=', 'orders.id')
            .where('payment_attempts.status', '=', 'requires_action'),
        ),
      ]),
    )
    .limit(BATCH)
    .execute();
  await each(cancelledWithWork, 'settle a cancelled order', ({ id }) => decideNow(work, id, orderCancelled));

  const unsent = await db
    .selectFrom('refunds')
    .innerJoin('payments', 'payments.id', 'refunds.payment_id')
    .select(['refunds.id', 'payments.order_id'])
    .where('refunds.status', '=', 'requested')
    .where('refunds.updated_at', '<', olderThan(options.resendAfterSeconds ?? 10))
    .limit(BATCH)
    .execute();
  await each(unsent, 'send a refund', ({ id, order_id }) => sendRefund(work, order_id, id));

  const pendingRefunds = await db
    .selectFrom('refunds')
    .select(['id', 'stripe_refund_id'])
    .where('status', '=', 'pending')
    .where('stripe_refund_id', 'is not', null)
    .where('updated_at', '<', olderThan(options.staleAfterSeconds))
    .limit(BATCH)
    .execute();
  await each(pendingRefunds, 'read a pending refund', async ({ id, stripe_refund_id }) => {
    await observeRefund(
      work,
      await stripe.refunds.retrieve(stripe_refund_id as string).catch(whenStripeIsDown),
    );
    // Read again only once it is stale again, not at every pass.
    await db
      .updateTable('refunds')
      .set({ updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  });

  const waitingOnBuyer = await db
    .selectFrom('payment_attempts')
    .innerJoin('orders', 'orders.id', 'payment_attempts.order_id')
    .select([
      'payment_attempts.id',
      'payment_attempts.stripe_payment_intent_id as intentId',
      sql<boolean>`orders.deadline_reached_at is not null or orders.expires_at <= now()`.as('overdue'),
    ])
    .where('payment_attempts.status', '=', 'requires_action')
    .where('payment_attempts.stripe_payment_intent_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('orders.deadline_reached_at', 'is not', null),
        eb('orders.expires_at', '<=', sql<Date>`now()`),
        eb('payment_attempts.updated_at', '<', olderThan(options.staleAfterSeconds)),
      ]),
    )
    .orderBy('payment_attempts.updated_at')
    .limit(BATCH)
    .execute();
  await each(waitingOnBuyer, 'settle a 3-D Secure attempt', async ({ id, intentId, overdue }) => {
    const intent = overdue
      ? await cancelIntent(stripe, intentId as string)
      : await stripe.paymentIntents.retrieve(intentId as string).catch(whenStripeIsDown);
    await observeIntent(work, intent);
    await db
      .updateTable('payment_attempts')
      .set({ updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'requires_action')
      .execute();
  });

  await each(await unheldAttempts(db, BATCH), 'resume an attempt', async ({ id }) => {
    const attempt = await takeAttempt(db, id, options.attemptHoldSeconds);
    if (attempt) await processAttempt(held, attempt);
  });

  const succeededUnrecorded = await db
    .selectFrom('stripe_payment_intents')
    .leftJoin('payments', 'payments.stripe_payment_intent_id', 'stripe_payment_intents.id')
    .select('stripe_payment_intents.id')
    .where('stripe_payment_intents.status', '=', 'succeeded')
    .where('payments.id', 'is', null)
    .limit(BATCH)
    .execute();
  await each(succeededUnrecorded, 'record a payment Stripe took', async ({ id }) =>
    observeIntent(work, await stripe.paymentIntents.retrieve(id).catch(whenStripeIsDown)),
  );

  const unchecked = await db
    .selectFrom('payments')
    .select('order_id')
    .where('refunds_checked_at', '<', olderThan(options.refundCheckIntervalSeconds ?? 600))
    .where('created_at', '>', sql<Date>`now() - interval '7 days'`)
    .orderBy('refunds_checked_at')
    .limit(REFUND_CHECKS_PER_PASS)
    .execute();
  await each(unchecked, "read a payment's refunds", ({ order_id }) => readRefunds(work, order_id));
}

/** The stuck items as gauges, refreshed by every sweep: what an alert watches. */
function stuckGauges(metrics: Registry) {
  const count = sharedMetric(metrics, Gauge, {
    name: 'payments_stuck_items',
    help: 'Items the payments sweep has not finished, by kind',
    labelNames: ['kind'],
  });
  const oldest = sharedMetric(metrics, Gauge, {
    name: 'payments_stuck_oldest_seconds',
    help: 'How long the oldest unfinished item of each kind has waited',
    labelNames: ['kind'],
  });
  return async (work: PaymentWork) => {
    for (const [kind, figures] of Object.entries(await stuckItems(work.db))) {
      count.set({ kind }, figures.count);
      oldest.set({ kind }, figures.oldestSeconds);
    }
  };
}

/** Runs the sweep at start-up, for what the last run of the service left, and every interval after. */
export function reconciliationSweep(context: PaymentsContext): BackgroundTask {
  const { config, logger, metrics } = context;
  const work = paymentWork(context);
  const report = stuckGauges(metrics);
  const options: SweepOptions = {
    staleAfterSeconds: config.PAYMENT_RECONCILE_AFTER_SECONDS,
    attemptHoldSeconds: config.PAYMENT_ATTEMPT_HOLD_SECONDS,
  };
  const failed = 'reconciliation sweep failed; will try again';
  return new PollingWorker({
    pollIntervalMs: config.PAYMENT_RECONCILE_INTERVAL_SECONDS * 1000,
    logger,
    failureMessage: failed,
    async step() {
      // A failed sweep is a warning and waits the whole interval: the next sweep redoes all of it anyway,
      // and retrying sooner would only add load while the database or Stripe is away.
      await sweepOnce(work, options)
        .then(() => report(work))
        .catch((error: unknown) => logger.warn({ err: error }, failed));
      return 'idle';
    },
  });
}
