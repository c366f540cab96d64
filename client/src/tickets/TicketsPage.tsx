import { useMutation, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/api-client';
import type { Order, Ticket } from '../api/types';
import { useSignedInUser } from '../auth/session';
import { FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StatusBadge } from '../ui/StatusBadge';
import { SellTicketForm } from './SellTicketForm';

/** Every ticket, newest first, searchable by title; reserve one, or sell your own. */
export function TicketsPage() {
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const tickets = useQuery({
    queryKey: ['tickets', query],
    queryFn: () => api<Ticket[]>(`/api/tickets?limit=50${query ? `&q=${encodeURIComponent(query)}` : ''}`),
    placeholderData: (previous) => previous,
  });
  return (
    <div className="columns">
      <section aria-labelledby="tickets-heading">
        <h1 id="tickets-heading">Tickets</h1>
        <label htmlFor="ticket-search">Search by title</label>
        <input
          id="ticket-search"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="e.g. concert"
        />
        {tickets.isError && <FormError error={tickets.error} fields={[]} />}
        {tickets.data && tickets.data.length === 0 && (
          <p>No tickets{query ? ` match “${query}”` : ' yet'}.</p>
        )}
        <ul className="cards">
          {tickets.data?.map((ticket) => (
            <TicketCard key={ticket.id} ticket={ticket} />
          ))}
        </ul>
      </section>
      <SellTicketForm />
    </div>
  );
}

function TicketCard({ ticket }: { ticket: Ticket }) {
  const user = useSignedInUser();
  const navigate = useNavigate();
  const reserve = useMutation({
    mutationFn: () => api<Order>('/api/orders', { method: 'POST', body: { ticketId: ticket.id } }),
    onSuccess: (order) => navigate(`/orders/${order.id}`),
  });
  const own = ticket.userId === user?.id;
  return (
    <li className="card">
      <h2>{ticket.title}</h2>
      <p className="price">{formatMoney(ticket.price, ticket.currency)}</p>
      <p>
        {ticket.orderId ? (
          <StatusBadge tone="wait">Reserved</StatusBadge>
        ) : (
          <StatusBadge tone="good">Available</StatusBadge>
        )}{' '}
        {own && <StatusBadge tone="neutral">Yours</StatusBadge>}
      </p>
      {!own && !ticket.orderId && (
        <button
          type="button"
          onClick={() => reserve.mutate()}
          disabled={reserve.isPending}
          aria-label={`Reserve ${ticket.title}`}
        >
          Reserve
        </button>
      )}
      <FormError error={reserve.error} fields={[]} />
    </li>
  );
}
