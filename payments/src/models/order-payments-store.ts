import { OrderStatus } from '@ticketing/contracts';
import { enqueueAll } from '@ticketing/bus';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';
import type { Decision } from '../lifecycle/decision';
import type { OrderPayments, OrderStanding } from '../lifecycle/order-payments';
import { lockOrder } from './order-replica';

function standingOf(status: OrderStatus): OrderStanding {
  if (status === OrderStatus.Complete) return 'complete';
  if (status === OrderStatus.Cancelled) return 'cancelled';
  return 'awaiting';
}

/**
 * An order's attempts (newest first), its payment and the payment's refunds (oldest first), in a total
 * order (ties broken by id), so that one state always reads, and serialises, the same.
 */
export async function readPaymentRows(db: Kysely<PaymentsDatabase>, orderId: string) {
  const attempts = await db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  const refunds = payment
    ? await db
        .selectFrom('refunds')
        .selectAll()
        .where('payment_id', '=', payment.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  return { attempts, payment, refunds };
}

/**
 * Reads an order's payments for a decision, after taking the order's row lock: every change to an order's
 * payments takes it first, so they are serialised and cannot deadlock on the rows they touch next.
 */
export async function loadOrderPayments(
  trx: Transaction<PaymentsDatabase>,
  orderId: string,
): Promise<OrderPayments> {
  const order = await lockOrder(trx, orderId);
  const { attempts, payment, refunds } = await readPaymentRows(trx, orderId);
  return {
    orderId,
    order: order && {
      standing: standingOf(order.status),
      expiresAt: order.expires_at,
      deadlineReached: order.deadline_reached_at !== null,
      expired: order.expired_at !== null,
    },
    attempts: attempts.map((attempt) => ({
      id: attempt.id,
      status: attempt.status,
      intentId: attempt.stripe_payment_intent_id,
      chargeId: attempt.stripe_charge_id,
      error: attempt.error_code
        ? {
            code: attempt.error_code,
            declineCode: attempt.decline_code,
            message: attempt.error_message ?? '',
          }
        : null,
      createdAt: attempt.created_at,
    })),
    payment: payment && {
      id: payment.id,
      attemptId: payment.attempt_id,
      intentId: payment.stripe_payment_intent_id,
      chargeId: payment.stripe_charge_id,
      amount: payment.amount,
      currency: payment.currency,
      status: payment.status,
      amountRefunded: payment.amount_refunded,
    },
    refunds: refunds.map((refund) => ({
      id: refund.id,
      stripeRefundId: refund.stripe_refund_id,
      amount: refund.amount,
      status: refund.status,
      reason: refund.reason,
      origin: refund.origin,
      failureReason: refund.failure_reason,
      keyGeneration: refund.key_generation,
      updatedAt: refund.updated_at,
    })),
  };
}

/** Writes what a decision changed, and its events, in the transaction that read the state. */
export async function saveDecision(
  trx: Transaction<PaymentsDatabase>,
  state: OrderPayments,
  decision: Decision,
): Promise<void> {
  for (const attempt of decision.attempts) {
    await trx
      .updateTable('payment_attempts')
      .set({
        status: attempt.status,
        stripe_charge_id: attempt.chargeId,
        error_code: attempt.error?.code ?? null,
        decline_code: attempt.error?.declineCode ?? null,
        error_message: attempt.error?.message ?? null,
        updated_at: sql`now()`,
      })
      .where('id', '=', attempt.id)
      .execute();
  }
  const { payment } = decision;
  if (payment) {
    const changes = {
      status: payment.status,
      amount_refunded: payment.amountRefunded,
      updated_at: sql<Date>`now()`,
    };
    await trx
      .insertInto('payments')
      .values({
        id: payment.id,
        order_id: state.orderId,
        attempt_id: payment.attemptId,
        stripe_payment_intent_id: payment.intentId,
        stripe_charge_id: payment.chargeId,
        amount: payment.amount,
        currency: payment.currency,
        status: payment.status,
        amount_refunded: payment.amountRefunded,
      })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(changes))
      .execute();
  }
  for (const refund of decision.refunds) {
    const changes = {
      stripe_refund_id: refund.stripeRefundId,
      amount: refund.amount,
      status: refund.status,
      failure_reason: refund.failureReason,
      key_generation: refund.keyGeneration,
      updated_at: refund.updatedAt,
    };
    await trx
      .insertInto('refunds')
      .values({
        id: refund.id,
        payment_id: (decision.payment ?? state.payment)?.id as string,
        reason: refund.reason,
        origin: refund.origin,
        ...changes,
      })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(changes))
      .execute();
  }
  if (decision.order) {
    await trx
      .updateTable('orders')
      .set({
        ...(decision.order.deadlineReached && { deadline_reached_at: sql<Date>`now()` }),
        ...(decision.order.expired && { expired_at: sql<Date>`now()` }),
      })
      .where('id', '=', state.orderId)
      .execute();
  }
  if (decision.events.length > 0) await enqueueAll(trx, decision.events);
}
