import { loadStripe, type Stripe, type StripeCardElement } from '@stripe/stripe-js';
import { useEffect, useRef, useState } from 'react';

/** A card typed into Stripe Elements, turned into a PaymentMethod id when the form is sent. */
export interface CardField {
  createPaymentMethod(): Promise<string>;
}

let stripeLoaded: Promise<Stripe | null> | undefined;

/** Stripe.js, loaded once from Stripe (it must come from js.stripe.com to be PCI compliant). */
export function stripeFor(publishableKey: string): Promise<Stripe | null> {
  stripeLoaded ??= loadStripe(publishableKey);
  return stripeLoaded;
}

/** The card input of Stripe Elements: the card number never touches our servers. */
export function StripeCardField({
  publishableKey,
  onReady,
}: {
  publishableKey: string;
  onReady: (field: CardField | null) => void;
}) {
  const mountPoint = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let card: StripeCardElement | undefined;
    let cancelled = false;
    void stripeFor(publishableKey).then((stripe) => {
      if (cancelled || !stripe || !mountPoint.current) {
        if (!stripe) setProblem('Stripe could not be loaded; check your connection and reload.');
        return;
      }
      card = stripe.elements().create('card');
      card.mount(mountPoint.current);
      card.on('change', (event) => setProblem(event.error?.message ?? null));
      const mounted = card;
      onReady({
        async createPaymentMethod() {
          const result = await stripe.createPaymentMethod({ type: 'card', card: mounted });
          if (result.error) throw new Error(result.error.message ?? 'The card was not accepted');
          return result.paymentMethod.id;
        },
      });
    });
    return () => {
      cancelled = true;
      card?.destroy();
      onReady(null);
    };
  }, [publishableKey, onReady]);
  return (
    <div>
      <label htmlFor="card-element">Card</label>
      <div id="card-element" ref={mountPoint} className="card-element" />
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
