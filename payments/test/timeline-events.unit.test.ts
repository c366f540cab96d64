import type { AttemptRow } from '../src/models/attempt';
import type { OrderReplicaRow } from '../src/models/order-replica';
import type { PaymentRow } from '../src/models/payment';
import type { RefundRow } from '../src/models/refund';
import { timelineEvents } from '../src/reporting/timeline-events';

const ORDER_ID = '00000000-0000-4000-8000-000000000001';
const at = (second: number) => new Date(Date.UTC(2026, 2, 10, 12, 0, second));

function order(extra: Partial<OrderReplicaRow> = {}): OrderReplicaRow {
  return {
    id: ORDER_ID,
    user_id: 'buyer',
    status: 'created',
    version: 0,
    amount: 5000,
    currency: 'usd',
    expires_at: at(900),
    deadline_reached_at: null,
    expired_at: null,
    updated_at: at(0),
    ...extra,
  };
}

function attempt(
  id: string,
  status: AttemptRow['status'],
  created: number,
  updated: number,
  extra: Partial<AttemptRow> = {},
): AttemptRow {
  return {
    id,
    order_id: ORDER_ID,
    user_id: 'buyer',
    payment_method: 'pm_card_visa',
    status,
    amount: 5000,
    currency: 'usd',
    stripe_payment_intent_id: 'pi_1',
    stripe_charge_id: null,
    error_code: null,
    decline_code: null,
    error_message: null,
    key_generation: 0,
    locked_until: at(created),
    created_at: at(created),
    updated_at: at(updated),
    ...extra,
  };
}

const payment: PaymentRow = {
  id: 'p1',
  order_id: ORDER_ID,
  attempt_id: 'a2',
  stripe_payment_intent_id: 'pi_1',
  stripe_charge_id: 'ch_1',
  amount: 5000,
  currency: 'usd',
  status: 'succeeded',
  amount_refunded: 1000,
  refunds_checked_at: at(5),
  created_at: at(5),
  updated_at: at(9),
};

function refund(
  id: string,
  status: RefundRow['status'],
  created: number,
  updated: number,
  extra: Partial<RefundRow> = {},
): RefundRow {
  return {
    id,
    payment_id: 'p1',
    stripe_refund_id: `re_${id}`,
    amount: 1000,
    reason: 'requested_by_admin',
    status,
    origin: 'admin',
    failure_reason: null,
    key_generation: 0,
    created_at: at(created),
    updated_at: at(updated),
    ...extra,
  };
}

describe('order timeline events', () => {
  it('merges attempts, the payment and refunds oldest first, settled ones with their outcome', () => {
    const declined = attempt('a1', 'failed', 1, 2, {
      error_code: 'card_declined',
      decline_code: 'insufficient_funds',
      error_message: 'Your card has insufficient funds.',
    });
    const events = timelineEvents({
      order: order(),
      attempts: [declined, attempt('a2', 'succeeded', 3, 5)],
      payments: [payment],
      refunds: [refund('r1', 'succeeded', 8, 9), refund('r2', 'pending', 10, 11)],
    });
    expect(events.map((event) => [event.at.slice(17, 19), event.kind])).toEqual([
      ['01', 'attempt.started'],
      ['02', 'attempt.failed'],
      ['03', 'attempt.started'],
      ['05', 'attempt.succeeded'],
      ['05', 'payment.recorded'],
      ['08', 'refund.requested'],
      ['09', 'refund.succeeded'],
      // Pending: only its request has a time; its state is in the refunds list.
      ['10', 'refund.requested'],
    ]);
    expect(events[1]).toEqual({
      at: at(2).toISOString(),
      kind: 'attempt.failed',
      attemptId: 'a1',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
  });

  it('puts what one transaction recorded at one instant in the order it happened', () => {
    const events = timelineEvents({
      order: order({
        status: 'cancelled',
        version: 2,
        updated_at: at(20),
        deadline_reached_at: at(20),
        expired_at: at(20),
      }),
      attempts: [attempt('a1', 'canceled', 10, 20, { error_code: 'order_not_payable' })],
      payments: [],
      refunds: [],
    });
    expect(events.map((event) => event.kind)).toEqual([
      'attempt.started',
      'order.deadline_reached',
      'attempt.canceled',
      'order.status',
      'order.expired',
    ]);
    expect(events[3]).toMatchObject({ kind: 'order.status', status: 'cancelled' });
  });

  it('lists no order status for an order as it was created, and no outcome for an open attempt', () => {
    const events = timelineEvents({
      order: order(),
      attempts: [attempt('a1', 'requires_action', 1, 30)],
      payments: [],
      refunds: [],
    });
    expect(events.map((event) => event.kind)).toEqual(['attempt.started']);
  });
});
