import type { Decision } from '../src/lifecycle/decision';
import type { AttemptState, OrderPayments, PaymentState, RefundState } from '../src/lifecycle/order-payments';
import {
  attemptStarted,
  attemptWithdrawn,
  confirmationRefused,
  deadlineReached,
  intentObserved,
  MAX_AUTOMATIC_REFUNDS,
  orderCancelled,
  refundable,
  refundCallFailed,
  refundObserved,
  refundRequested,
  type LifecycleContext,
} from '../src/lifecycle/payment-lifecycle';
import type { IntentSnapshot, RefundSnapshot } from '../src/lifecycle/stripe-snapshots';

const NOW = new Date('2026-12-02T12:00:00Z');
const MINUTE = 60_000;

function context(now = NOW): LifecycleContext {
  let n = 0;
  return { newId: () => `new-${++n}`, now, refundRetryBaseMs: MINUTE };
}

function attempt(
  id: string,
  status: AttemptState['status'],
  extra: Partial<AttemptState> = {},
): AttemptState {
  return { id, status, intentId: 'pi_1', chargeId: null, error: null, createdAt: NOW, ...extra };
}

function paymentOf(extra: Partial<PaymentState> = {}): PaymentState {
  return {
    id: 'pay_1',
    attemptId: 'a1',
    intentId: 'pi_1',
    chargeId: 'ch_1',
    amount: 5000,
    currency: 'usd',
    status: 'succeeded',
    amountRefunded: 0,
    ...extra,
  };
}

function refund(id: string, status: RefundState['status'], extra: Partial<RefundState> = {}): RefundState {
  return {
    id,
    stripeRefundId: `re_${id}`,
    amount: 5000,
    status,
    reason: 'order_cancelled',
    origin: 'order_cancelled',
    failureReason: null,
    keyGeneration: 0,
    updatedAt: NOW,
    ...extra,
  };
}

function state(extra: Partial<OrderPayments> = {}): OrderPayments {
  return {
    orderId: 'order-1',
    order: { standing: 'awaiting', expiresAt: NOW, deadlineReached: false, expired: false },
    attempts: [],
    refunds: [],
    ...extra,
  };
}

function intent(status: IntentSnapshot['status'], extra: Partial<IntentSnapshot> = {}): IntentSnapshot {
  return {
    id: 'pi_1',
    status,
    amount: 5000,
    amountReceived: status === 'succeeded' ? 5000 : 0,
    currency: 'usd',
    latestChargeId: status === 'succeeded' ? 'ch_1' : null,
    lastError: null,
    clientSecret: 'pi_1_secret',
    ...extra,
  };
}

function stripeRefund(status: string, extra: Partial<RefundSnapshot> = {}): RefundSnapshot {
  return {
    id: 're_r1',
    intentId: 'pi_1',
    amount: 5000,
    status,
    failureReason: null,
    localRefundId: 'r1',
    reason: 'order_cancelled',
    ...extra,
  };
}

const subjects = (decision: Decision) => decision.events.map((event) => event.subject);
const statusOf = (decision: Decision, id: string) => decision.attempts.find((a) => a.id === id)?.status;

describe('the payment lifecycle', () => {
  describe('an attempt', () => {
    it('succeeds once: the payment is recorded and announced, and a second sighting changes nothing', () => {
      const first = intentObserved(
        state({ attempts: [attempt('a1', 'pending')] }),
        intent('succeeded'),
        context(),
        'a1',
      );
      expect(statusOf(first, 'a1')).toBe('succeeded');
      expect(first.payment).toMatchObject({
        attemptId: 'a1',
        intentId: 'pi_1',
        amount: 5000,
        status: 'succeeded',
      });
      expect(first.events).toEqual([
        {
          subject: 'payments.created',
          data: { id: 'new-1', orderId: 'order-1', stripeId: 'pi_1', amount: 5000, currency: 'usd' },
        },
      ]);
      const again = intentObserved(
        state({ attempts: [attempt('a1', 'succeeded', { chargeId: 'ch_1' })], payment: paymentOf() }),
        intent('succeeded'),
        context(),
      );
      expect(again).toMatchObject({ attempts: [], events: [], calls: [] });
      expect(again.payment).toBeUndefined();
    });

    it('credits a success seen without its attempt to the attempt whose charge it is, else the newest open one', () => {
      const byCharge = intentObserved(
        state({ attempts: [attempt('a2', 'pending'), attempt('a1', 'pending', { chargeId: 'ch_1' })] }),
        intent('succeeded'),
        context(),
      );
      expect(byCharge.payment?.attemptId).toBe('a1');
      expect(statusOf(byCharge, 'a2')).toBe('canceled');
      const newest = intentObserved(
        state({ attempts: [attempt('a2', 'pending'), attempt('a1', 'requires_action')] }),
        intent('succeeded'),
        context(),
      );
      expect(newest.payment?.attemptId).toBe('a2');
    });

    it('records a success for an attempt given up while its charge was in flight', () => {
      const decision = intentObserved(
        state({
          attempts: [
            attempt('a1', 'canceled', {
              error: { code: 'order_not_payable', declineCode: null, message: '' },
            }),
          ],
        }),
        intent('succeeded'),
        context(),
      );
      expect(statusOf(decision, 'a1')).toBe('succeeded');
      expect(subjects(decision)).toEqual(['payments.created']);
    });

    it('refunds at once a success that lands on a cancelled order', () => {
      const decision = intentObserved(
        state({
          order: { standing: 'cancelled', expiresAt: NOW, deadlineReached: false, expired: false },
          attempts: [attempt('a1', 'pending')],
        }),
        intent('succeeded'),
        context(),
        'a1',
      );
      expect(decision.refunds).toEqual([
        expect.objectContaining({ status: 'requested', amount: 5000, origin: 'order_cancelled' }),
      ]);
      expect(decision.calls).toEqual([
        {
          kind: 'create_refund',
          refundId: 'new-2',
          intentId: 'pi_1',
          amount: 5000,
          reason: 'order_cancelled',
        },
      ]);
    });

    it('waits on the buyer for 3-D Secure, and fails on a decline with payments.failed', () => {
      const challenged = intentObserved(
        state({ attempts: [attempt('a1', 'pending')] }),
        intent('requires_action'),
        context(),
        'a1',
      );
      expect(statusOf(challenged, 'a1')).toBe('requires_action');
      const error = { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Declined' };
      const declined = intentObserved(
        state({ attempts: [attempt('a1', 'pending')] }),
        intent('requires_payment_method', { lastError: error }),
        context(),
        'a1',
      );
      expect(statusOf(declined, 'a1')).toBe('failed');
      expect(declined.events).toEqual([
        {
          subject: 'payments.failed',
          data: {
            attemptId: 'a1',
            orderId: 'order-1',
            code: 'card_declined',
            declineCode: 'insufficient_funds',
            message: 'Declined',
          },
        },
      ]);
    });

    it("leaves a decline seen without its attempt to that attempt's own request, but fails a 3-D Secure one", () => {
      const error = { code: 'payment_intent_authentication_failure', declineCode: null, message: 'Failed' };
      const seen = intent('requires_payment_method', { lastError: error });
      expect(
        intentObserved(state({ attempts: [attempt('a1', 'pending')] }), seen, context()).attempts,
      ).toEqual([]);
      expect(
        statusOf(
          intentObserved(state({ attempts: [attempt('a1', 'requires_action')] }), seen, context()),
          'a1',
        ),
      ).toBe('failed');
    });

    it('closes the open attempts of a cancelled intent, and waits while Stripe is processing', () => {
      const cancelled = intentObserved(
        state({ attempts: [attempt('a2', 'requires_action'), attempt('a1', 'failed')] }),
        intent('canceled'),
        context(),
      );
      expect(cancelled.attempts.map((a) => [a.id, a.status])).toEqual([['a2', 'canceled']]);
      expect(
        intentObserved(state({ attempts: [attempt('a1', 'pending')] }), intent('processing'), context(), 'a1')
          .attempts,
      ).toEqual([]);
    });

    it('ends an older attempt waiting on 3-D Secure when a new one starts', () => {
      const decision = attemptStarted(
        state({ attempts: [attempt('a2', 'pending'), attempt('a1', 'requires_action')] }),
        'a2',
      );
      expect(decision.attempts).toEqual([
        expect.objectContaining({
          id: 'a1',
          status: 'canceled',
          error: expect.objectContaining({ code: 'superseded' }),
        }),
      ]);
    });

    it('is failed by a refused confirmation, and withdrawn without an event; a closed attempt stays as it is', () => {
      const error = { code: 'resource_missing', declineCode: null, message: 'No such PaymentMethod' };
      expect(
        subjects(confirmationRefused(state({ attempts: [attempt('a1', 'pending')] }), 'a1', error)),
      ).toEqual(['payments.failed']);
      const withdrawn = attemptWithdrawn(
        state({ attempts: [attempt('a1', 'pending')] }),
        'a1',
        'order_not_payable',
        'Too late',
      );
      expect(withdrawn.attempts[0]).toMatchObject({
        status: 'canceled',
        error: { code: 'order_not_payable' },
      });
      expect(withdrawn.events).toEqual([]);
      expect(
        confirmationRefused(state({ attempts: [attempt('a1', 'succeeded')] }), 'a1', error).attempts,
      ).toEqual([]);
    });
  });

  describe("an order's deadline", () => {
    const pastDeadline = {
      standing: 'awaiting' as const,
      expiresAt: NOW,
      deadlineReached: true,
      expired: false,
    };

    it('expires an order with nothing open or paid, once, and one never heard of at once', () => {
      const decision = deadlineReached(state());
      expect(decision.order).toEqual({ deadlineReached: true, expired: true });
      expect(decision.events).toEqual([
        { subject: 'payments.expired', data: { orderId: 'order-1', expiresAt: NOW.toISOString() } },
      ]);
      expect(deadlineReached(state({ order: { ...pastDeadline, expired: true } })).events).toEqual([]);
      expect(deadlineReached({ orderId: 'x', attempts: [], refunds: [] }).events).toEqual([
        { subject: 'payments.expired', data: { orderId: 'x', expiresAt: null } },
      ]);
    });

    it('waits for an attempt under way, and expires the order when it ends unpaid', () => {
      const waiting = deadlineReached(state({ attempts: [attempt('a1', 'pending')] }));
      expect(waiting).toMatchObject({ order: { deadlineReached: true }, events: [] });
      const error = { code: 'card_declined', declineCode: null, message: 'Declined' };
      const declined = confirmationRefused(
        state({ order: pastDeadline, attempts: [attempt('a1', 'pending')] }),
        'a1',
        error,
      );
      expect(subjects(declined)).toEqual(['payments.failed', 'payments.expired']);
    });

    it('never expires a paid order', () => {
      const paid = intentObserved(
        state({ order: pastDeadline, attempts: [attempt('a1', 'pending')] }),
        intent('succeeded'),
        context(),
        'a1',
      );
      expect(subjects(paid)).toEqual(['payments.created']);
      expect(deadlineReached(state({ order: pastDeadline, payment: paymentOf() })).events).toEqual([]);
    });
  });

  describe('a cancelled order', () => {
    const cancelled = {
      standing: 'cancelled' as const,
      expiresAt: NOW,
      deadlineReached: false,
      expired: false,
    };

    it("cancels its open attempts' intents and refunds what is left of its payment", () => {
      const decision = orderCancelled(
        state({
          order: cancelled,
          attempts: [attempt('a3', 'requires_action'), attempt('a2', 'pending'), attempt('a1', 'succeeded')],
          payment: paymentOf(),
          refunds: [refund('r0', 'succeeded', { amount: 1000, origin: 'admin' })],
        }),
        context(),
      );
      expect(decision.calls).toEqual([
        { kind: 'cancel_intent', intentId: 'pi_1' },
        {
          kind: 'create_refund',
          refundId: 'new-1',
          intentId: 'pi_1',
          amount: 4000,
          reason: 'order_cancelled',
        },
      ]);
    });

    it('asks once while a refund is on its way, again after a failure once the pause is over, and gives up after five', () => {
      const owed = (refunds: RefundState[], now = NOW) =>
        orderCancelled(state({ order: cancelled, payment: paymentOf(), refunds }), context(now)).calls;
      expect(owed([refund('r1', 'pending')])).toEqual([]);
      expect(owed([refund('r1', 'requested')])).toEqual([]);
      const failed = [refund('r1', 'failed')];
      expect(owed(failed)).toEqual([]);
      expect(owed(failed, new Date(NOW.getTime() + MINUTE))).toHaveLength(1);
      const twice = [refund('r1', 'failed'), refund('r2', 'failed')];
      expect(owed(twice, new Date(NOW.getTime() + MINUTE))).toEqual([]);
      expect(owed(twice, new Date(NOW.getTime() + 2 * MINUTE))).toHaveLength(1);
      const many = Array.from({ length: MAX_AUTOMATIC_REFUNDS }, (_, i) => refund(`r${i}`, 'failed'));
      expect(owed(many, new Date(NOW.getTime() + 365 * 24 * 60 * MINUTE))).toEqual([]);
      expect(owed([refund('r1', 'succeeded')])).toEqual([]);
      // Refused (nothing left at Stripe): the refund that got there first is read before asking again.
      expect(owed([refund('r1', 'canceled')])).toEqual([]);
    });
  });

  describe('a refund', () => {
    const paidState = (refunds: RefundState[] = [], extra: Partial<OrderPayments> = {}) =>
      state({
        order: { standing: 'complete', expiresAt: NOW, deadlineReached: false, expired: false },
        payment: paymentOf(),
        refunds,
        ...extra,
      });

    it('asked by an operator takes at most what is left, once per request', () => {
      expect(refundRequested(state(), { refundId: 'r9', reason: 'x' }, context()).refused).toMatch(
        /no payment/,
      );
      const partial = [
        refund('r1', 'succeeded', { amount: 2000, origin: 'admin' }),
        refund('r2', 'pending', { amount: 1000 }),
      ];
      expect(refundable(paidState(partial))).toBe(2000);
      expect(
        refundRequested(paidState(partial), { refundId: 'r9', amount: 2001, reason: 'x' }, context()).refused,
      ).toBe('Only 2000 is left to refund');
      const all = refundRequested(paidState(partial), { refundId: 'r9', reason: 'goodwill' }, context());
      expect(all.refunds).toEqual([
        expect.objectContaining({ id: 'r9', amount: 2000, status: 'requested', origin: 'admin' }),
      ]);
      const retried = refundRequested(
        paidState([...partial, refund('r9', 'requested', { amount: 2000 })]),
        { refundId: 'r9', reason: 'goodwill' },
        context(),
      );
      expect([retried.refunds, retried.calls.length]).toEqual([[], 1]);
      const acknowledged = refundRequested(
        paidState([...partial, refund('r9', 'pending', { amount: 2000 })]),
        { refundId: 'r9', reason: 'goodwill' },
        context(),
      );
      expect([acknowledged.refunds, acknowledged.calls]).toEqual([[], []]);
    });

    it('returns money only once succeeded, announcing it once with what is left', () => {
      const pending = refundObserved(
        paidState([refund('r1', 'requested', { stripeRefundId: null })]),
        stripeRefund('pending'),
        context(),
      );
      expect(pending.refunds[0]).toMatchObject({ status: 'pending', stripeRefundId: 're_r1' });
      expect([pending.payment, pending.events]).toEqual([undefined, []]);
      const succeeded = refundObserved(
        paidState([refund('r1', 'pending')]),
        stripeRefund('succeeded'),
        context(),
      );
      expect(succeeded.payment).toMatchObject({ amountRefunded: 5000, status: 'refunded' });
      expect(succeeded.events).toEqual([
        {
          subject: 'payments.refunded',
          data: {
            id: 'r1',
            orderId: 'order-1',
            stripeRefundId: 're_r1',
            amount: 5000,
            reason: 'order_cancelled',
            amountLeft: 0,
          },
        },
      ]);
      const duplicate = refundObserved(
        paidState([refund('r1', 'succeeded')], {
          payment: paymentOf({ amountRefunded: 5000, status: 'refunded' }),
        }),
        stripeRefund('succeeded'),
        context(),
      );
      expect([duplicate.refunds, duplicate.events, duplicate.payment]).toEqual([[], [], undefined]);
    });

    it('gives the money back to the payment when Stripe turns a succeeded refund into a failed one', () => {
      const failed = refundObserved(
        paidState([refund('r1', 'succeeded')], {
          payment: paymentOf({ amountRefunded: 5000, status: 'refunded' }),
        }),
        stripeRefund('failed', { failureReason: 'expired_or_canceled_card' }),
        context(),
      );
      expect(failed.refunds[0]).toMatchObject({
        status: 'failed',
        failureReason: 'expired_or_canceled_card',
      });
      expect(failed.payment).toMatchObject({ amountRefunded: 0, status: 'succeeded' });
      expect(failed.events).toEqual([]);
    });

    it('records a refund made at Stripe, and never counts more than the payment', () => {
      const dashboard = refundObserved(
        paidState(),
        stripeRefund('succeeded', { id: 're_x', localRefundId: null, reason: null, amount: 1500 }),
        context(),
      );
      expect(dashboard.refunds[0]).toMatchObject({
        id: 'new-1',
        origin: 'stripe',
        reason: 'refunded_at_stripe',
        amount: 1500,
      });
      expect(dashboard.payment).toMatchObject({ amountRefunded: 1500, status: 'succeeded' });
      const overlapping = refundObserved(
        paidState([refund('r1', 'succeeded')], {
          payment: paymentOf({ amountRefunded: 5000, status: 'refunded' }),
        }),
        stripeRefund('succeeded', { id: 're_y', localRefundId: null }),
        context(),
      );
      expect(overlapping.payment).toBeUndefined();
      expect(refundObserved(state(), stripeRefund('succeeded'), context()).refused).toMatch(/not recorded/);
    });

    it('asked again under a new key after a Stripe 5xx, ended after a refusal', () => {
      const requested = paidState([refund('r1', 'requested', { stripeRefundId: null })]);
      expect(
        refundCallFailed(requested, 'r1', { kind: 'stripe_failed', message: '500' }, context()).refunds[0],
      ).toMatchObject({
        status: 'requested',
        keyGeneration: 1,
      });
      expect(
        refundCallFailed(requested, 'r1', { kind: 'refused', message: 'charge_already_refunded' }, context())
          .refunds[0],
      ).toMatchObject({ status: 'canceled', failureReason: 'charge_already_refunded' });
      expect(
        refundCallFailed(
          paidState([refund('r1', 'pending')]),
          'r1',
          { kind: 'refused', message: 'x' },
          context(),
        ).refunds,
      ).toEqual([]);
    });
  });
});
