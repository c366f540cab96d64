import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/api-client';
import { ApiError } from '../api/api-error';
import type { Ticket } from '../api/types';
import { FieldError, FormError } from '../ui/FieldError';
import { parseMoney } from '../ui/money';

const CURRENCIES = ['usd', 'eur', 'gbp', 'jpy', 'chf', 'cad', 'aud'];

/** Puts a ticket up for sale: a title and a price the seller types in whole currency units. */
export function SellTicketForm() {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [price, setPrice] = useState('');
  const [currency, setCurrency] = useState('usd');
  const [sold, setSold] = useState<Ticket | null>(null);
  const sell = useMutation({
    mutationFn: async () => {
      const minorUnits = parseMoney(price, currency);
      if (minorUnits === null) {
        throw new ApiError(
          400,
          [{ field: 'price', message: `price must be an amount in ${currency.toUpperCase()}` }],
          null,
        );
      }
      return api<Ticket>('/api/tickets', {
        method: 'POST',
        headers: { 'Idempotency-Key': crypto.randomUUID() },
        body: { title: title.trim(), price: minorUnits, currency },
      });
    },
    onSuccess: (ticket) => {
      setSold(ticket);
      setTitle('');
      setPrice('');
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSold(null);
    sell.mutate();
  };
  return (
    <section aria-labelledby="sell-heading" className="panel">
      <h2 id="sell-heading">Sell a ticket</h2>
      <form onSubmit={submit} noValidate>
        <label htmlFor="sell-title">Title</label>
        <input
          id="sell-title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          aria-describedby="sell-title-error"
          required
        />
        <FieldError id="sell-title-error" error={sell.error} field="title" />
        <div className="inline">
          <div>
            <label htmlFor="sell-price">Price</label>
            <input
              id="sell-price"
              inputMode="decimal"
              value={price}
              onChange={(event) => setPrice(event.target.value)}
              aria-describedby="sell-price-error"
              required
            />
          </div>
          <div>
            <label htmlFor="sell-currency">Currency</label>
            <select id="sell-currency" value={currency} onChange={(event) => setCurrency(event.target.value)}>
              {CURRENCIES.map((code) => (
                <option key={code} value={code}>
                  {code.toUpperCase()}
                </option>
              ))}
            </select>
          </div>
        </div>
        <FieldError id="sell-price-error" error={sell.error} field="price" />
        <FieldError id="sell-currency-error" error={sell.error} field="currency" />
        <FormError error={sell.error} fields={['title', 'price', 'currency']} />
        <button type="submit" disabled={sell.isPending}>
          Sell
        </button>
        {sold && (
          <p role="status" className="success">
            “{sold.title}” is on sale.
          </p>
        )}
      </form>
    </section>
  );
}
