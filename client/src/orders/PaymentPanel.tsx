import { useState } from 'react';
import type { Attempt, Order, OrderPayments } from '../api/types';
import { formatMoney } from '../ui/money';
import { StatusBadge, stripeStatusTone } from '../ui/StatusBadge';
import { awaitsPayment, attemptState } from './order-words';
import { PaymentForm } from './PaymentForm';
import { ThreeDSecureStep } from './ThreeDSecureStep';

/**
 * The payment's live status: the newest attempt's state (processing, authentication, paid, declined with
 * its reason and a retry), the refunds, and the form while the order can still be paid.
 */
export function PaymentPanel({ order, payments }: { order: Order; payments: OrderPayments | undefined }) {
  const [clientSecret, setClientSecret] = useState<string | null>(null);
  const [retrying, setRetrying] = useState(false);
  const latest: Attempt | undefined = payments?.attempts[0];
  const showForm =
    awaitsPayment(order) &&
    payments !== undefined &&
    (!latest || latest.status === 'canceled' || (latest.status === 'failed' && retrying));
  return (
    <section aria-labelledby="payment-heading" className="panel">
      <h2 id="payment-heading">Payment</h2>
      <div role="status" aria-live="polite" data-testid="payment-status">
        {payments === undefined && <p>Getting the payment ready…</p>}
        {latest && <AttemptStatus attempt={latest} />}
        {payments?.payment && (
          <p>
            Paid {formatMoney(payments.payment.amount, payments.payment.currency)}
            {payments.payment.amountRefunded > 0 &&
              `, ${formatMoney(payments.payment.amountRefunded, payments.payment.currency)} refunded`}
            .
          </p>
        )}
      </div>
      {latest?.status === 'requires_action' && (
        <ThreeDSecureStep attempt={latest} clientSecret={clientSecret} />
      )}
      {latest?.status === 'failed' && !retrying && awaitsPayment(order) && (
        <button type="button" onClick={() => setRetrying(true)}>
          Try again
        </button>
      )}
      {showForm && (
        <PaymentForm
          order={order}
          onAnswer={(secret) => {
            setClientSecret(secret);
            setRetrying(false);
          }}
        />
      )}
      {payments && payments.refunds.length > 0 && (
        <>
          <h3>Refunds</h3>
          <ul>
            {payments.refunds.map((refund) => (
              <li key={refund.id}>
                {formatMoney(refund.amount, payments.payment?.currency ?? order.currency)}:{' '}
                <StatusBadge tone={stripeStatusTone(refund.status)}>{refund.status}</StatusBadge>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function AttemptStatus({ attempt }: { attempt: Attempt }) {
  const state = attemptState(attempt);
  return (
    <div className="attempt">
      <p>
        <StatusBadge tone={state.tone}>{state.label}</StatusBadge>{' '}
        {formatMoney(attempt.amount, attempt.currency)}
      </p>
      {attempt.status === 'failed' && (
        <p className="decline">
          {attempt.message ?? 'The payment was declined.'}
          {(attempt.declineCode ?? attempt.code) && <> ({attempt.declineCode ?? attempt.code})</>}
        </p>
      )}
    </div>
  );
}
