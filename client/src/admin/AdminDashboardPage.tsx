import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/api-client';
import { FieldError, FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StatusBadge, stripeStatusTone } from '../ui/StatusBadge';
import { formatTime } from '../ui/time';
import type { AdminAttempt, PaymentStats, StuckItems } from './admin-types';
import { PaymentCharts } from './PaymentCharts';

const FILTERS = ['outcome', 'code', 'userId', 'orderId', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

/** `datetime-local` has no zone: the admin means their own, the API wants an instant. */
function toInstant(local: string): string {
  return new Date(local).toISOString();
}

/** Every payment attempt with filters, the charts, and what the reconciliation sweep found stuck. */
export function AdminDashboardPage() {
  const [params, setParams] = useSearchParams();
  const [bucket, setBucket] = useState<'hour' | 'day'>('day');
  const search = new URLSearchParams();
  for (const filter of FILTERS) {
    const value = params.get(filter);
    if (value) search.set(filter, filter === 'from' || filter === 'to' ? toInstant(value) : value);
  }
  const attempts = useQuery({
    queryKey: ['admin-attempts', search.toString()],
    queryFn: () => api<AdminAttempt[]>(`/api/payments/admin/attempts?${search}`),
  });
  const stats = useQuery({
    queryKey: ['admin-stats', bucket],
    queryFn: () => {
      const days = bucket === 'day' ? 7 : 1;
      const from = new Date(Date.now() - days * 24 * 3600_000).toISOString();
      return api<PaymentStats>(`/api/payments/admin/stats?bucket=${bucket}&from=${encodeURIComponent(from)}`);
    },
    refetchInterval: 30_000,
  });
  const stuck = useQuery({
    queryKey: ['admin-stuck'],
    queryFn: () => api<StuckItems>('/api/payments/admin/stuck'),
    refetchInterval: 30_000,
  });
  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const filter of FILTERS) {
      const value = String(form.get(filter) ?? '').trim();
      if (value) next.set(filter, value);
    }
    setParams(next);
  };
  return (
    <div className="dashboard">
      <h1>Payments dashboard</h1>
      <section aria-labelledby="charts-heading" className="panel">
        <div className="inline spread">
          <h2 id="charts-heading">Over time</h2>
          <label>
            Period{' '}
            <select value={bucket} onChange={(event) => setBucket(event.target.value as 'hour' | 'day')}>
              <option value="day">Last 7 days, by day</option>
              <option value="hour">Last 24 hours, by hour</option>
            </select>
          </label>
        </div>
        {stats.isError && <FormError error={stats.error} fields={[]} />}
        {stats.data && <PaymentCharts stats={stats.data} bucket={bucket} />}
      </section>
      <section aria-labelledby="stuck-heading" className="panel">
        <h2 id="stuck-heading">Stuck in reconciliation</h2>
        {stuck.data && <StuckList items={stuck.data} />}
      </section>
      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Payment attempts</h2>
        <form className="filters" onSubmit={applyFilters} aria-label="Filter attempts">
          <FilterField name="outcome" label="Status" error={attempts.error} params={params}>
            <select id="filter-outcome" name="outcome" defaultValue={params.get('outcome') ?? ''}>
              <option value="">Any</option>
              {['pending', 'requires_action', 'succeeded', 'failed', 'canceled'].map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField name="code" label="Decline code" error={attempts.error} params={params} />
          <FilterField name="userId" label="User" error={attempts.error} params={params} />
          <FilterField name="orderId" label="Order id" error={attempts.error} params={params} />
          <FilterField
            name="from"
            label="From"
            type="datetime-local"
            error={attempts.error}
            params={params}
          />
          <FilterField name="to" label="To" type="datetime-local" error={attempts.error} params={params} />
          <button type="submit">Filter</button>
        </form>
        <FormError error={attempts.error} fields={[...FILTERS, 'code']} />
        {attempts.data && <AttemptsTable attempts={attempts.data} />}
      </section>
    </div>
  );
}

function FilterField({
  name,
  label,
  type = 'text',
  error,
  params,
  children,
}: {
  name: Filter;
  label: string;
  type?: string;
  error: unknown;
  params: URLSearchParams;
  children?: React.ReactNode;
}) {
  const id = `filter-${name}`;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children ?? (
        <input
          id={id}
          name={name}
          type={type}
          defaultValue={params.get(name) ?? ''}
          aria-describedby={`${id}-error`}
        />
      )}
      <FieldError id={`${id}-error`} error={error} field={name} />
    </div>
  );
}

function AttemptsTable({ attempts }: { attempts: AdminAttempt[] }) {
  if (attempts.length === 0) return <p>No attempts match.</p>;
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">Payment attempts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Order</th>
            <th scope="col">User</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
            <th scope="col">Decline code</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.id}>
              <td>{formatTime(attempt.createdAt)}</td>
              <td>
                <Link to={`/admin/orders/${attempt.orderId}`} aria-label={`Order ${attempt.orderId}`}>
                  {attempt.orderId.slice(0, 8)}
                </Link>
              </td>
              <td>{attempt.userId}</td>
              <td>{formatMoney(attempt.amount, attempt.currency)}</td>
              <td>
                <StatusBadge tone={stripeStatusTone(attempt.status)}>{attempt.status}</StatusBadge>
              </td>
              <td>{attempt.declineCode ?? attempt.code ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const STUCK_WORDS: Record<string, string> = {
  attemptsCutOff: 'Attempts cut off mid-payment',
  attemptsAwaitingBuyer: 'Attempts waiting for 3-D Secure',
  ordersAwaitingVerdict: 'Orders past their deadline, verdict pending',
  refundsNotSent: 'Refunds not yet acknowledged by Stripe',
  refundsPending: 'Refunds pending at Stripe',
  refundsFailed: 'Refunds failed: needs attention',
};

function StuckList({ items }: { items: StuckItems }) {
  return (
    <dl className="stuck">
      {Object.entries(items).map(([kind, figures]) => (
        <div key={kind} className={figures.count > 0 ? 'attention' : undefined}>
          <dt>{STUCK_WORDS[kind] ?? kind}</dt>
          <dd>
            {figures.count}
            {figures.count > 0 && ` (oldest ${Math.round(figures.oldestSeconds)} s)`}
          </dd>
        </div>
      ))}
    </dl>
  );
}
