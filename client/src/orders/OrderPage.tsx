import { useParams } from 'react-router';
import { useLiveResource, type LiveStatus } from '../api/live-resource';
import type { Order, OrderPayments } from '../api/types';
import { FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StatusBadge } from '../ui/StatusBadge';
import { Countdown } from './Countdown';
import { awaitsPayment, orderState } from './order-words';
import { PaymentPanel } from './PaymentPanel';

/** One order and its payment, both kept current by the services' event streams: no reload needed. */
export function OrderPage() {
  const { id = '' } = useParams();
  const order = useLiveResource<Order>({
    queryKey: ['order', id],
    path: `/api/orders/${id}`,
    eventsPath: `/api/orders/${id}/events`,
  });
  // The order reaches payments through an event: until then payments answers 404, which means "not yet".
  const payments = useLiveResource<OrderPayments>({
    queryKey: ['order-payments', id],
    path: `/api/payments/orders/${id}`,
    eventsPath: `/api/payments/orders/${id}/events`,
    enabled: order.isSuccess,
    retryNotFound: true,
  });
  if (order.isPending) return <p>Loading the order…</p>;
  if (order.isError) return <FormError error={order.error} fields={[]} />;
  const state = orderState(order.data);
  return (
    <section aria-labelledby="order-heading">
      <h1 id="order-heading">{order.data.ticket.title}</h1>
      <p className="price">{formatMoney(order.data.price, order.data.currency)}</p>
      <p>
        Order: <StatusBadge tone={state.tone}>{state.label}</StatusBadge>{' '}
        <LiveIndicator status={order.live} />
      </p>
      <div aria-live="polite" className="visually-hidden" data-testid="order-announcer">
        Order {state.label}
      </div>
      {awaitsPayment(order.data) && <Countdown until={order.data.expiresAt} />}
      <PaymentPanel order={order.data} payments={payments.data} />
    </section>
  );
}

function LiveIndicator({ status }: { status: LiveStatus }) {
  const words: Record<LiveStatus, string> = {
    connecting: 'connecting…',
    live: 'live',
    polling: 'reconnecting (checking every 5 s)',
  };
  return <span className={`live live-${status}`}>{words[status]}</span>;
}
