import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/api-client';
import { ApiError } from '../api/api-error';
import type { Payment } from '../api/types';
import { FieldError, FormError } from '../ui/FieldError';
import { formatMoney, parseMoney } from '../ui/money';

/**
 * A full or partial refund with a reason. The Idempotency-Key is made when the form is filled in and kept
 * until it succeeds: pressing again after a lost answer refunds once.
 */
export function RefundForm({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const left = payment.amount - payment.amountRefunded;
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(() => crypto.randomUUID());
  const refund = useMutation({
    mutationFn: () => {
      const minorUnits = amount.trim() === '' ? undefined : parseMoney(amount, payment.currency);
      if (minorUnits === null) {
        throw new ApiError(
          400,
          [{ field: 'amount', message: `amount must be an amount in ${payment.currency.toUpperCase()}` }],
          null,
        );
      }
      return api(`/api/payments/admin/payments/${payment.id}/refunds`, {
        method: 'POST',
        headers: { 'Idempotency-Key': key },
        body: { amount: minorUnits, reason: reason.trim() || undefined },
      });
    },
    onSuccess: () => {
      setAmount('');
      setReason('');
      setKey(crypto.randomUUID());
      void queryClient.invalidateQueries({ queryKey: ['admin-order', payment.orderId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    refund.mutate();
  };
  const amountId = `refund-amount-${payment.id}`;
  const reasonId = `refund-reason-${payment.id}`;
  return (
    <form onSubmit={submit} noValidate aria-label="Refund">
      <div className="inline">
        <div>
          <label htmlFor={amountId}>
            Amount to refund (empty: all {formatMoney(left, payment.currency)})
          </label>
          <input
            id={amountId}
            inputMode="decimal"
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            aria-describedby={`${amountId}-error`}
          />
          <FieldError id={`${amountId}-error`} error={refund.error} field="amount" />
        </div>
        <div>
          <label htmlFor={reasonId}>Reason</label>
          <input
            id={reasonId}
            value={reason}
            maxLength={100}
            onChange={(event) => setReason(event.target.value)}
            aria-describedby={`${reasonId}-error`}
          />
          <FieldError id={`${reasonId}-error`} error={refund.error} field="reason" />
        </div>
      </div>
      <FormError error={refund.error} fields={['amount', 'reason']} />
      <button type="submit" disabled={refund.isPending}>
        Refund
      </button>
    </form>
  );
}
