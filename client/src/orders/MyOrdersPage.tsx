import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/api-client';
import type { Order } from '../api/types';
import { FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StatusBadge } from '../ui/StatusBadge';
import { formatTime } from '../ui/time';
import { awaitsPayment, orderState } from './order-words';

/** The buyer's orders, newest first, with their states. */
export function MyOrdersPage() {
  const orders = useQuery({ queryKey: ['orders'], queryFn: () => api<Order[]>('/api/orders?limit=100') });
  return (
    <section>
      <h1>My orders</h1>
      {orders.isError && <FormError error={orders.error} fields={[]} />}
      {orders.data?.length === 0 && (
        <p>
          No orders yet: <Link to="/">find a ticket</Link>.
        </p>
      )}
      {orders.data && orders.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Your orders</caption>
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Price</th>
              <th scope="col">State</th>
              <th scope="col">Pay by</th>
            </tr>
          </thead>
          <tbody>
            {orders.data.map((order) => {
              const state = orderState(order);
              return (
                <tr key={order.id}>
                  <td>
                    <Link to={`/orders/${order.id}`}>{order.ticket.title}</Link>
                  </td>
                  <td>{formatMoney(order.price, order.currency)}</td>
                  <td>
                    <StatusBadge tone={state.tone}>{state.label}</StatusBadge>
                  </td>
                  {/* A deadline matters only while the order waits for its payment. */}
                  <td>{awaitsPayment(order) ? formatTime(order.expiresAt) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
