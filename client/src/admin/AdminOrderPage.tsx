import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api } from '../api/api-client';
import { FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StatusBadge, stripeStatusTone } from '../ui/StatusBadge';
import { formatTime } from '../ui/time';
import type { OrderTimeline } from './admin-types';
import { RefundForm } from './RefundForm';

/** One order as an operator sees it: every attempt with Stripe's ids and codes, payments, refunds. */
export function AdminOrderPage() {
  const { orderId = '' } = useParams();
  const timeline = useQuery({
    queryKey: ['admin-order', orderId],
    queryFn: () => api<OrderTimeline>(`/api/payments/admin/orders/${orderId}`),
    // A refund settles at Stripe after the request: its state is re-read until nothing is in flight.
    refetchInterval: (query) =>
      query.state.data?.refunds.some((refund) => refund.status === 'requested' || refund.status === 'pending')
        ? 2_000
        : false,
  });
  if (timeline.isPending) return <p>Loading the order…</p>;
  if (timeline.isError) return <FormError error={timeline.error} fields={[]} />;
  const { order, attempts, payments, refunds, events } = timeline.data;
  return (
    <section aria-labelledby="admin-order-heading">
      <h1 id="admin-order-heading">Order {order.id}</h1>
      <p>
        Buyer <strong>{order.userId}</strong>, {formatMoney(order.amount, order.currency)}, order status{' '}
        <StatusBadge tone="neutral">{order.status}</StatusBadge>
      </p>
      <h2>Attempts</h2>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">Attempts, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Decline code</th>
              <th scope="col">Message</th>
              <th scope="col">PaymentIntent</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt) => (
              <tr key={attempt.id}>
                <td>{formatTime(attempt.createdAt)}</td>
                <td>{attempt.status}</td>
                <td>{attempt.declineCode ?? attempt.code ?? ''}</td>
                <td>{attempt.message ?? ''}</td>
                <td>
                  <code>{attempt.stripePaymentIntentId ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Payments and refunds</h2>
      {payments.length === 0 && <p>Not paid.</p>}
      {payments.map((payment) => (
        <div key={payment.id} className="panel">
          <p>
            Payment <code>{payment.stripeId}</code>: {formatMoney(payment.amount, payment.currency)},{' '}
            {formatMoney(payment.amountRefunded, payment.currency)} refunded ({payment.status})
          </p>
          <ul aria-label="Refunds">
            {refunds
              .filter((refund) => refund.paymentId === payment.id)
              .map((refund) => (
                <li key={refund.id}>
                  {formatMoney(refund.amount, payment.currency)} “{refund.reason}”:{' '}
                  <StatusBadge tone={stripeStatusTone(refund.status)}>
                    {`refund ${refund.status}`}
                  </StatusBadge>
                  {refund.failureReason && ` (${refund.failureReason})`}
                </li>
              ))}
          </ul>
          {payment.amount > payment.amountRefunded && <RefundForm payment={payment} />}
        </div>
      ))}
      <h2>Timeline</h2>
      <ol className="timeline">
        {events.map((event, index) => (
          <li key={`${event.at}-${index}`}>
            <time dateTime={event.at}>{formatTime(event.at)}</time> {describe(event, order.currency)}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** What the API's timeline entry says, in words: its kind, then its details that have a value. */
function describe(event: OrderTimeline['events'][number], currency: string): string {
  const kind = event.kind.replace(/[._]/g, ' ');
  const details = Object.entries(event)
    .filter(
      ([key, value]) =>
        !['at', 'kind', 'currency'].includes(key) && value !== null && typeof value !== 'object',
    )
    .map(([key, value]) => `${key} ${detail(key, value, currency)}`)
    .join(', ');
  return details ? `${kind}: ${details}` : kind;
}

/** Amounts as money; our own ids shortened as the tables show them (Stripe's stay whole, to search for). */
function detail(key: string, value: unknown, currency: string): string {
  if (key === 'amount' && typeof value === 'number') return formatMoney(value, currency);
  if (key.endsWith('Id') && typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value))
    return value.slice(0, 8);
  return String(value);
}
