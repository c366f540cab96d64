import { noDecision, type Decision, type StripeCall } from './decision';
import {
  HOLDING_REFUND,
  OPEN_ATTEMPT,
  type AttemptError,
  type AttemptState,
  type OrderPayments,
  type OrderState,
  type PaymentState,
  type RefundOrigin,
  type RefundState,
  type RefundStatus,
  type WithdrawalCode,
} from './order-payments';
import type { IntentSnapshot, RefundSnapshot } from './stripe-snapshots';

/**
 * The payment lifecycle: for an order's attempts, payment and refunds, what each trigger does. Pure: it is
 * given the state read under the order's lock and what Stripe said, and returns the states that change,
 * the events to publish and the Stripe calls to make once those are committed. Every path that learns
 * something (the request's answer from Stripe, a webhook's re-fetched object, the sweep's read, an event
 * from the orders or expiration service) goes through one of the entry points below.
 */

/** What the decisions need from outside: fresh ids, the time, and the automatic refunds' retry pace. */
export interface LifecycleContext {
  newId(): string;
  now: Date;
  /** A failed automatic refund is asked for again after this, doubling with each failure. */
  refundRetryBaseMs: number;
}

/** Automatic refunds of one payment that may fail before it is left to an operator. */
export const MAX_AUTOMATIC_REFUNDS = 5;

/** The decision under way: the state as changed so far, and the changes. */
class Draft {
  readonly decision = noDecision();

  constructor(readonly state: OrderPayments) {}

  attempt(next: AttemptState): void {
    this.state.attempts = this.state.attempts.map((attempt) => (attempt.id === next.id ? next : attempt));
    this.decision.attempts = [...this.decision.attempts.filter((attempt) => attempt.id !== next.id), next];
  }

  payment(next: PaymentState): void {
    this.state.payment = next;
    this.decision.payment = next;
  }

  refund(next: RefundState): void {
    const known = this.state.refunds.some((refund) => refund.id === next.id);
    this.state.refunds = known
      ? this.state.refunds.map((refund) => (refund.id === next.id ? next : refund))
      : [...this.state.refunds, next];
    this.decision.refunds = [...this.decision.refunds.filter((refund) => refund.id !== next.id), next];
  }

  order(change: Partial<Pick<OrderState, 'deadlineReached' | 'expired'>>): void {
    if (this.state.order) this.state.order = { ...this.state.order, ...change };
    this.decision.order = { ...this.decision.order, ...change };
  }

  call(call: StripeCall): void {
    this.decision.calls.push(call);
  }
}

function draftOf(state: OrderPayments): Draft {
  return new Draft({ ...state, attempts: [...state.attempts], refunds: [...state.refunds] });
}

const isOpen = (attempt: AttemptState) => OPEN_ATTEMPT.includes(attempt.status);

function close(
  draft: Draft,
  attempt: AttemptState,
  status: 'failed' | 'canceled',
  error: AttemptError | null,
) {
  if (!isOpen(attempt)) return;
  draft.attempt({ ...attempt, status, error });
  if (status === 'failed' && error) {
    draft.decision.events.push({
      subject: 'payments.failed',
      data: {
        attemptId: attempt.id,
        orderId: draft.state.orderId,
        code: error.code,
        ...(error.declineCode && { declineCode: error.declineCode }),
        message: error.message,
      },
    });
  }
}

/**
 * An order past its deadline is expired once nothing can pay it any more: no payment, no attempt open.
 * Checked after every change that may close the last attempt.
 */
function expireIfSettled(draft: Draft): void {
  const { order, payment, attempts, orderId } = draft.state;
  if (!order || !order.deadlineReached || order.expired || order.standing !== 'awaiting') return;
  if (payment || attempts.some((attempt) => isOpen(attempt) || attempt.status === 'succeeded')) return;
  draft.order({ expired: true });
  draft.decision.events.push({
    subject: 'payments.expired',
    data: { orderId, expiresAt: order.expiresAt?.toISOString() ?? null },
  });
}

/** What is left of the payment to refund: neither returned nor on its way back. */
export function refundable(state: OrderPayments): number {
  if (!state.payment) return 0;
  const held = state.refunds
    .filter((refund) => HOLDING_REFUND.includes(refund.status))
    .reduce((sum, refund) => sum + refund.amount, 0);
  return Math.max(0, state.payment.amount - held);
}

function requestRefund(
  draft: Draft,
  context: LifecycleContext,
  { id, amount, reason, origin }: { id: string; amount: number; reason: string; origin: RefundOrigin },
): void {
  const payment = draft.state.payment as PaymentState;
  draft.refund({
    id,
    stripeRefundId: null,
    amount,
    status: 'requested',
    reason,
    origin,
    failureReason: null,
    keyGeneration: 0,
    updatedAt: context.now,
  });
  draft.call({ kind: 'create_refund', refundId: id, intentId: payment.intentId, amount, reason });
}

/**
 * A cancelled order keeps no money: what is left of its payment is refunded, unless a refund of it is
 * already on its way. A refund that failed (or was refused) is asked for again with a fresh key, after a
 * pause that doubles with each failure; after `MAX_AUTOMATIC_REFUNDS` failures it is left to an operator.
 */
function refundWhatIsOwed(draft: Draft, context: LifecycleContext): void {
  const { order, payment, refunds } = draft.state;
  if (!payment || order?.standing !== 'cancelled') return;
  const amount = refundable(draft.state);
  if (amount === 0) return;
  const automatic = refunds.filter((refund) => refund.origin === 'order_cancelled');
  if (automatic.some((refund) => refund.status === 'requested' || refund.status === 'pending')) return;
  // A refused request (Stripe saw nothing left: a refund made elsewhere, not read here yet) waits like a
  // failure, so the refund that got there first can be read before asking again.
  const failed = automatic.filter((refund) => refund.status === 'failed' || refund.status === 'canceled');
  if (failed.length >= MAX_AUTOMATIC_REFUNDS) return;
  const lastFailure = Math.max(0, ...failed.map((refund) => refund.updatedAt.getTime()));
  const pause = failed.length === 0 ? 0 : context.refundRetryBaseMs * 2 ** (failed.length - 1);
  if (context.now.getTime() - lastFailure < pause) return;
  requestRefund(draft, context, {
    id: context.newId(),
    amount,
    reason: 'order_cancelled',
    origin: 'order_cancelled',
  });
}

/**
 * A new attempt is about to confirm the order's intent with another payment method: an older attempt still
 * waiting on its buyer's 3-D Secure can no longer complete, so it ends, and a success is never credited to it.
 */
export function attemptStarted(state: OrderPayments, attemptId: string): Decision {
  const draft = draftOf(state);
  for (const attempt of state.attempts) {
    if (attempt.id !== attemptId && attempt.status === 'requires_action') {
      close(draft, attempt, 'canceled', {
        code: 'superseded',
        declineCode: null,
        message: 'Another payment method was tried',
      });
    }
  }
  return draft.decision;
}

/** The attempt a PaymentIntent's state belongs to, when Stripe's answer came without one (a webhook, a read). */
function attemptsOf(state: OrderPayments, intent: IntentSnapshot): AttemptState[] {
  const onIntent = state.attempts.filter((attempt) => attempt.intentId === intent.id);
  const newestOpen = onIntent.find(isOpen);
  switch (intent.status) {
    case 'succeeded': {
      const credited =
        onIntent.find((attempt) => attempt.chargeId !== null && attempt.chargeId === intent.latestChargeId) ??
        newestOpen ??
        onIntent[0];
      return credited ? [credited] : [];
    }
    case 'canceled':
      return onIntent.filter(isOpen);
    case 'requires_action':
      return newestOpen ? [newestOpen] : [];
    case 'requires_payment_method':
      // A decline is its own request's to record; a failed 3-D Secure belongs to the attempt that waited on it.
      return intent.lastError ? onIntent.filter((attempt) => attempt.status === 'requires_action') : [];
    default:
      return [];
  }
}

/**
 * Stripe says where a PaymentIntent stands. With `attemptId`, it is that attempt's own answer (its
 * confirmation); without, it is a webhook's or the sweep's read, applied to the attempt it belongs to.
 * A success is recorded once, as the order's payment (and refunded at once if the order is off); a decline
 * fails the attempt; a cancelled intent closes its open attempts.
 */
export function intentObserved(
  state: OrderPayments,
  intent: IntentSnapshot,
  context: LifecycleContext,
  attemptId?: string,
): Decision {
  const draft = draftOf(state);
  const bound =
    attemptId === undefined ? undefined : state.attempts.find((attempt) => attempt.id === attemptId);
  const targets = bound ? [bound] : attemptsOf(state, intent);
  for (const attempt of targets) {
    switch (intent.status) {
      case 'succeeded':
        recordSuccess(draft, context, attempt, intent);
        break;
      case 'canceled':
        close(draft, attempt, 'canceled', null);
        break;
      case 'requires_action':
        if (attempt.status === 'pending') draft.attempt({ ...attempt, status: 'requires_action' });
        break;
      case 'requires_payment_method':
        if (intent.lastError) close(draft, attempt, 'failed', intent.lastError);
        break;
      default:
      // processing, requires_confirmation: Stripe has not decided; a webhook or the sweep will.
    }
  }
  expireIfSettled(draft);
  return draft.decision;
}

function recordSuccess(
  draft: Draft,
  context: LifecycleContext,
  attempt: AttemptState,
  intent: IntentSnapshot,
) {
  const current = draft.state.attempts.find((candidate) => candidate.id === attempt.id) ?? attempt;
  if (current.status !== 'succeeded') {
    // Even an attempt given up while its charge was in flight: the money came through it.
    draft.attempt({ ...current, status: 'succeeded', chargeId: intent.latestChargeId, error: null });
  }
  if (!draft.state.payment) {
    const payment: PaymentState = {
      id: context.newId(),
      attemptId: attempt.id,
      intentId: intent.id,
      chargeId: intent.latestChargeId,
      amount: intent.amountReceived || intent.amount,
      currency: intent.currency,
      status: 'succeeded',
      amountRefunded: 0,
    };
    draft.payment(payment);
    draft.decision.events.push({
      subject: 'payments.created',
      data: {
        id: payment.id,
        orderId: draft.state.orderId,
        stripeId: intent.id,
        amount: payment.amount,
        currency: payment.currency,
      },
    });
  }
  // The intent is spent: no other attempt on it can charge.
  for (const other of draft.state.attempts) {
    if (other.id !== attempt.id && other.intentId === intent.id && isOpen(other)) {
      close(draft, other, 'canceled', {
        code: 'payment_intent_unexpected_state',
        declineCode: null,
        message: 'The order was paid by another attempt',
      });
    }
  }
  refundWhatIsOwed(draft, context);
}

/** Stripe refused the attempt's confirmation without an intent to show for it (a card error, a bad request). */
export function confirmationRefused(state: OrderPayments, attemptId: string, error: AttemptError): Decision {
  const draft = draftOf(state);
  const attempt = state.attempts.find((candidate) => candidate.id === attemptId);
  if (attempt) close(draft, attempt, 'failed', error);
  expireIfSettled(draft);
  return draft.decision;
}

/** The attempt ends without charging, for a reason of ours (the order can no longer be paid, say). */
export function attemptWithdrawn(
  state: OrderPayments,
  attemptId: string,
  code: WithdrawalCode,
  message: string,
): Decision {
  const draft = draftOf(state);
  const attempt = state.attempts.find((candidate) => candidate.id === attemptId);
  if (attempt) close(draft, attempt, 'canceled', { code, declineCode: null, message });
  expireIfSettled(draft);
  return draft.decision;
}

/**
 * The order is off (its new standing already in `state`): open attempts' intents are cancelled so that
 * nothing more can be charged, and what was paid is refunded. Also what the sweep runs for every cancelled
 * order still owed a refund.
 */
export function orderCancelled(state: OrderPayments, context: LifecycleContext): Decision {
  const draft = draftOf(state);
  const intents = new Set(
    state.attempts
      .filter((attempt) => isOpen(attempt) && attempt.intentId)
      .map((attempt) => attempt.intentId as string),
  );
  for (const intentId of intents) draft.call({ kind: 'cancel_intent', intentId });
  refundWhatIsOwed(draft, context);
  return draft.decision;
}

/** The expiration service says the order's time is up. */
export function deadlineReached(state: OrderPayments): Decision {
  const draft = draftOf(state);
  if (!state.order) {
    // Never heard of here, so never paid here: the verdict can go at once.
    draft.decision.events.push({
      subject: 'payments.expired',
      data: { orderId: state.orderId, expiresAt: null },
    });
    return draft.decision;
  }
  if (!state.order.deadlineReached) draft.order({ deadlineReached: true });
  expireIfSettled(draft);
  return draft.decision;
}

/** An operator asks for money back: `amount` of what is left (all of it by default). */
export function refundRequested(
  state: OrderPayments,
  request: { refundId: string; amount?: number; reason: string },
  context: LifecycleContext,
): Decision {
  const draft = draftOf(state);
  const { payment } = state;
  if (!payment) return { ...draft.decision, refused: 'The order has no payment to refund' };
  const asked = state.refunds.find((refund) => refund.id === request.refundId);
  if (asked) {
    // The same request again: if Stripe has not acknowledged it yet, it is sent again under the same key.
    if (asked.status === 'requested') {
      draft.call({
        kind: 'create_refund',
        refundId: asked.id,
        intentId: payment.intentId,
        amount: asked.amount,
        reason: asked.reason,
      });
    }
    return draft.decision;
  }
  const left = refundable(state);
  const amount = request.amount ?? left;
  if (left === 0) return { ...draft.decision, refused: 'Nothing is left to refund' };
  if (amount > left) return { ...draft.decision, refused: `Only ${left} is left to refund` };
  requestRefund(draft, context, { id: request.refundId, amount, reason: request.reason, origin: 'admin' });
  return draft.decision;
}

function refundStatusOf(snapshot: RefundSnapshot): RefundStatus {
  switch (snapshot.status) {
    case 'succeeded':
    case 'failed':
    case 'canceled':
      return snapshot.status;
    default:
      // pending, requires_action, or a status this code does not know yet: not money returned.
      return 'pending';
  }
}

/**
 * Stripe says where a refund stands (its answer to our request, a webhook's re-fetched object, a read of
 * the payment's refunds). Only a succeeded refund is money returned, and `payments.refunded` goes out when a
 * refund becomes succeeded. A refund made elsewhere (the Dashboard) is recorded too.
 */
export function refundObserved(
  state: OrderPayments,
  snapshot: RefundSnapshot,
  context: LifecycleContext,
): Decision {
  const draft = draftOf(state);
  const { payment } = state;
  if (!payment) return { ...draft.decision, refused: 'The payment is not recorded yet' };
  const known =
    state.refunds.find((refund) => refund.stripeRefundId === snapshot.id) ??
    state.refunds.find((refund) => refund.id === snapshot.localRefundId);
  const status = refundStatusOf(snapshot);
  const next: RefundState = known
    ? {
        ...known,
        stripeRefundId: snapshot.id,
        amount: snapshot.amount,
        status,
        failureReason: snapshot.failureReason,
      }
    : {
        id: context.newId(),
        stripeRefundId: snapshot.id,
        amount: snapshot.amount,
        status,
        reason: snapshot.reason ?? 'refunded_at_stripe',
        origin: 'stripe',
        failureReason: snapshot.failureReason,
        keyGeneration: 0,
        updatedAt: context.now,
      };
  if (
    known &&
    known.status === next.status &&
    known.amount === next.amount &&
    known.stripeRefundId === next.stripeRefundId &&
    known.failureReason === next.failureReason
  ) {
    return draft.decision;
  }
  draft.refund({ ...next, updatedAt: context.now });
  const returned = Math.min(
    payment.amount,
    draft.state.refunds
      .filter((refund) => refund.status === 'succeeded')
      .reduce((sum, refund) => sum + refund.amount, 0),
  );
  if (returned !== payment.amountRefunded) {
    draft.payment({
      ...payment,
      amountRefunded: returned,
      status: returned >= payment.amount ? 'refunded' : 'succeeded',
    });
  }
  if (status === 'succeeded' && known?.status !== 'succeeded') {
    draft.decision.events.push({
      subject: 'payments.refunded',
      data: {
        id: next.id,
        orderId: state.orderId,
        stripeRefundId: snapshot.id,
        amount: next.amount,
        reason: next.reason,
        amountLeft: payment.amount - returned,
      },
    });
  }
  // Money that did not go back after all is owed still, if the order is off.
  if (status === 'failed') refundWhatIsOwed(draft, context);
  return draft.decision;
}

/**
 * Stripe answered a refund request with a failure. A 5xx, which Stripe keeps under the key, moves the key
 * on and the request stays to be sent again; a refusal (nothing left: another refund got there first) ends
 * the request, and the payment's refunds are then read again from Stripe.
 */
export function refundCallFailed(
  state: OrderPayments,
  refundId: string,
  failure: { kind: 'stripe_failed' | 'refused'; message: string },
  context: LifecycleContext,
): Decision {
  const draft = draftOf(state);
  const refund = state.refunds.find((candidate) => candidate.id === refundId);
  if (!refund || refund.status !== 'requested') return draft.decision;
  draft.refund(
    failure.kind === 'stripe_failed'
      ? { ...refund, keyGeneration: refund.keyGeneration + 1, updatedAt: context.now }
      : { ...refund, status: 'canceled', failureReason: failure.message, updatedAt: context.now },
  );
  return draft.decision;
}
