import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { useClientSettings } from '../api/client-settings';
import type { Order, PaymentAnswer } from '../api/types';
import { FormError } from '../ui/FieldError';
import { formatMoney } from '../ui/money';
import { StripeCardField, type CardField } from './StripeCardField';
import { TEST_PAYMENT_METHODS } from './test-payment-methods';

/**
 * Pays the order with a test PaymentMethod picked by name or, with a publishable key, a card in Stripe
 * Elements. One Idempotency-Key per submission: a retried request charges once.
 */
export function PaymentForm({
  order,
  onAnswer,
}: {
  order: Order;
  onAnswer: (clientSecret: string | null) => void;
}) {
  const settings = useClientSettings();
  const [method, setMethod] = useState<string>(TEST_PAYMENT_METHODS[0].id);
  const [card, setCard] = useState<CardField | null>(null);
  const pay = useMutation({
    mutationFn: async (idempotencyKey: string) => {
      const paymentMethod = card ? await card.createPaymentMethod() : method;
      return api<PaymentAnswer>('/api/payments', {
        method: 'POST',
        headers: { 'Idempotency-Key': idempotencyKey },
        body: { orderId: order.id, paymentMethod },
      });
    },
    onSuccess: (answer) => onAnswer('clientSecret' in answer ? (answer.clientSecret ?? null) : null),
    // A decline (402) is shown by the live status with its reason; the form only needs to reappear.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 402) onAnswer(null);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    pay.mutate(crypto.randomUUID());
  };
  const declined = pay.error instanceof ApiError && pay.error.status === 402;
  return (
    <form onSubmit={submit} noValidate aria-label="Pay">
      {settings.data?.stripePublishableKey ? (
        <StripeCardField publishableKey={settings.data.stripePublishableKey} onReady={setCard} />
      ) : (
        <fieldset>
          <legend>Test payment method</legend>
          {TEST_PAYMENT_METHODS.map((option) => (
            <label key={option.id} className="radio">
              <input
                type="radio"
                name="payment-method"
                value={option.id}
                checked={method === option.id}
                onChange={() => setMethod(option.id)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
      )}
      {!declined && <FormError error={pay.error} fields={[]} />}
      <button type="submit" disabled={pay.isPending}>
        {pay.isPending ? 'Paying…' : `Pay ${formatMoney(order.price, order.currency)}`}
      </button>
    </form>
  );
}
