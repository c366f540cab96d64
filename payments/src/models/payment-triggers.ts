import { randomUUID } from 'node:crypto';
import { DependencyUnavailableError, type Logger } from '@ticketing/bus';
import { retryTransaction } from '@ticketing/service';
import type { Kysely, Transaction } from 'kysely';
import Stripe from 'stripe';
import { crashPoint } from '../crash-points';
import type { PaymentsDatabase } from '../database/schema';
import type { Decision, StripeCall } from '../lifecycle/decision';
import type { AttemptError, OrderPayments, WithdrawalCode } from '../lifecycle/order-payments';
import {
  attemptWithdrawn,
  confirmationRefused,
  intentObserved,
  refundCallFailed,
  refundObserved,
  type LifecycleContext,
} from '../lifecycle/payment-lifecycle';
import { idOf, intentSnapshot, refundSnapshot } from '../lifecycle/stripe-snapshots';
import { isStripeFailure, isUnanswered, whenStripeIsDown } from '../stripe/stripe-failures';
import { cancelIntent, createRefund } from '../stripe/stripe-requests';
import { loadOrderPayments, saveDecision } from './order-payments-store';
import type { PaymentRow } from './payment';
import { mirrorPaymentIntent, mirrorRefund } from './stripe-mirror';

/** What the payment lifecycle's triggers work with. */
export interface PaymentWork {
  db: Kysely<PaymentsDatabase>;
  stripe: Stripe;
  logger: Logger;
  /** How long a worker's hold on an attempt lasts without renewal; see `attempt-hold`. */
  attemptHoldSeconds?: number;
  /** A failed automatic refund is asked for again after this, doubling with each failure. */
  refundRetryBaseSeconds?: number;
}

function lifecycleContext(work: Pick<PaymentWork, 'refundRetryBaseSeconds'>): LifecycleContext {
  return {
    newId: randomUUID,
    now: new Date(),
    refundRetryBaseMs: (work.refundRetryBaseSeconds ?? 60) * 1000,
  };
}

type Decide = (state: OrderPayments, context: LifecycleContext) => Decision;

/**
 * Runs a decision about an order's payments in the caller's transaction (a listener's): reads the state
 * under the order's lock, decides, writes the changes and their events. The Stripe calls it asks for are
 * the caller's to make once the transaction has committed (`performCalls`).
 */
export async function decideIn(
  trx: Transaction<PaymentsDatabase>,
  orderId: string,
  decide: Decide,
  work: Pick<PaymentWork, 'refundRetryBaseSeconds'> = {},
): Promise<Decision> {
  const state = await loadOrderPayments(trx, orderId);
  const decision = decide(state, lifecycleContext(work));
  await saveDecision(trx, state, decision);
  return decision;
}

/** Runs a decision in a transaction of its own (run again if it loses a deadlock), then makes its Stripe calls. */
export async function decideNow(
  work: PaymentWork,
  orderId: string,
  decide: Decide,
  before?: (trx: Transaction<PaymentsDatabase>) => Promise<void>,
): Promise<Decision> {
  const decision = await retryTransaction(work.db, async (trx) => {
    const state = await loadOrderPayments(trx, orderId);
    await before?.(trx);
    const decided = decide(state, lifecycleContext(work));
    await saveDecision(trx, state, decided);
    return decided;
  });
  await performCalls(work, orderId, decision.calls);
  return decision;
}

/**
 * Makes the Stripe calls a committed decision asked for, and feeds Stripe's answers back to the lifecycle.
 * Best effort: a call that fails for want of Stripe stays recorded as asked (a refund `requested`, an
 * attempt open) and the sweep makes it again under the same key.
 */
export async function performCalls(work: PaymentWork, orderId: string, calls: StripeCall[]): Promise<void> {
  for (const call of calls) {
    try {
      if (call.kind === 'cancel_intent') {
        await observeIntent(work, await cancelIntent(work.stripe, call.intentId));
      } else {
        await sendRefund(work, orderId, call.refundId);
      }
    } catch (error) {
      work.logger.warn({ err: error, orderId, call }, 'Stripe call failed; the sweep will make it again');
    }
  }
}

/** Sends a `requested` refund to Stripe (again, after a crash: same key) and records Stripe's answer. */
export async function sendRefund(work: PaymentWork, orderId: string, refundId: string): Promise<void> {
  const refund = await work.db
    .selectFrom('refunds')
    .innerJoin('payments', 'payments.id', 'refunds.payment_id')
    .select([
      'refunds.amount',
      'refunds.reason',
      'refunds.status',
      'refunds.key_generation',
      'payments.stripe_payment_intent_id',
    ])
    .where('refunds.id', '=', refundId)
    .executeTakeFirst();
  if (refund?.status !== 'requested') return;
  crashPoint('refund-requested');
  try {
    const created = await createRefund(work.stripe, {
      refundId,
      orderId,
      intentId: refund.stripe_payment_intent_id,
      amount: refund.amount,
      reason: refund.reason,
      keyGeneration: refund.key_generation,
    });
    crashPoint('refund-created');
    await observeRefund(work, created);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      // Nothing (or not that much) is left: another refund got there first, ours or one made at Stripe.
      await decideNow(work, orderId, (state, context) =>
        refundCallFailed(state, refundId, { kind: 'refused', message: error.message }, context),
      );
      await readRefunds(work, orderId);
    } else if (isStripeFailure(error)) {
      await decideNow(work, orderId, (state, context) =>
        refundCallFailed(
          state,
          refundId,
          { kind: 'stripe_failed', message: (error as Error).message },
          context,
        ),
      );
    } else if (!isUnanswered(error)) {
      throw error;
    }
  }
}

/** The order a PaymentIntent pays for, when it is ours: Dashboard payments and other integrations have none. */
function orderOf(intent: Stripe.PaymentIntent): string | undefined {
  return intent.metadata?.orderId || undefined;
}

/**
 * Stripe says where a PaymentIntent stands: `attemptId` when it is that attempt's own answer, none for a
 * webhook's re-fetched object or the sweep's read. A PaymentIntent that is not ours is left alone.
 */
export async function observeIntent(
  work: PaymentWork,
  intent: Stripe.PaymentIntent,
  attemptId?: string,
): Promise<Decision | undefined> {
  const orderId = orderOf(intent);
  if (!orderId) return undefined;
  return decideNow(
    work,
    orderId,
    (state, context) => intentObserved(state, intentSnapshot(intent), context, attemptId),
    (trx) => mirrorPaymentIntent(trx, intent),
  );
}

/** Stripe refused an attempt's confirmation without an intent to show for it. */
export function refuseConfirmation(
  work: PaymentWork,
  attempt: { id: string; order_id: string },
  error: AttemptError,
) {
  return decideNow(work, attempt.order_id, (state) => confirmationRefused(state, attempt.id, error));
}

/** An attempt ends without charging, for a reason of ours. */
export function withdrawAttempt(
  work: PaymentWork,
  attempt: { id: string; order_id: string },
  code: WithdrawalCode,
  message: string,
) {
  return decideNow(work, attempt.order_id, (state) => attemptWithdrawn(state, attempt.id, code, message));
}

/**
 * Stripe says where a refund stands. A refund can reach us before the payment it returns (webhooks come in
 * any order): the payment is then read from Stripe and recorded first. Until it is, the refund is not
 * taken as seen (the webhook answers 503 and Stripe sends it again).
 */
export async function observeRefund(work: PaymentWork, refund: Stripe.Refund): Promise<void> {
  const intentId = idOf(refund.payment_intent);
  if (!intentId) return;
  let payment = await paymentOfIntent(work.db, intentId);
  if (!payment) {
    const intent = await work.stripe.paymentIntents.retrieve(intentId).catch(whenStripeIsDown);
    if (!orderOf(intent)) return;
    await observeIntent(work, intent);
    payment = await paymentOfIntent(work.db, intentId);
    if (!payment) throw new DependencyUnavailableError(`the payment of ${intentId}, not recorded yet`);
  }
  await decideNow(
    work,
    payment.order_id,
    (state, context) => refundObserved(state, refundSnapshot(refund), context),
    (trx) => mirrorRefund(trx, refund),
  );
}

/** Reads every refund of the order's payment from Stripe: one made at Stripe, or whose webhook was lost. */
export async function readRefunds(work: PaymentWork, orderId: string): Promise<void> {
  const payment = await work.db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!payment) return;
  const refunds = await work.stripe.refunds
    .list({ payment_intent: payment.stripe_payment_intent_id, limit: 100 })
    .catch(whenStripeIsDown);
  for (const refund of refunds.data) await observeRefund(work, refund);
  await work.db
    .updateTable('payments')
    .set({ refunds_checked_at: new Date() })
    .where('id', '=', payment.id)
    .execute();
}

function paymentOfIntent(db: Kysely<PaymentsDatabase>, intentId: string): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('stripe_payment_intent_id', '=', intentId)
    .executeTakeFirst();
}
