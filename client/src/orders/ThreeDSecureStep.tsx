import { useEffect, useState } from 'react';
import { useClientSettings } from '../api/client-settings';
import type { Attempt } from '../api/types';
import { stripeFor } from './StripeCardField';

/**
 * The bank's 3-D Secure challenge. With Stripe.js it runs Stripe's own flow; against the local Stripe fake
 * it shows the fake's challenge page, as Stripe's test mode does. Either way the outcome reaches us as
 * Stripe's webhook, and the status above moves on by itself.
 */
export function ThreeDSecureStep({
  attempt,
  clientSecret,
}: {
  attempt: Attempt;
  clientSecret: string | null;
}) {
  const settings = useClientSettings();
  const [problem, setProblem] = useState<string | null>(null);
  const publishableKey = settings.data?.stripePublishableKey;
  useEffect(() => {
    if (!publishableKey || !clientSecret) return;
    void stripeFor(publishableKey).then(async (stripe) => {
      const result = await stripe?.handleNextAction({ clientSecret });
      if (result?.error) setProblem(result.error.message ?? 'Authentication failed');
    });
  }, [publishableKey, clientSecret]);
  if (publishableKey) {
    return problem ? <p role="alert">{problem}</p> : <p>Follow your bank's authentication window.</p>;
  }
  const fakeUrl = settings.data?.stripeFakeUrl;
  if (!fakeUrl || !attempt.stripePaymentIntentId) return <p>Waiting for the authentication step…</p>;
  return (
    <div className="challenge">
      <p>Your bank asks you to confirm this payment.</p>
      <iframe
        title="3-D Secure authentication"
        src={`${fakeUrl}/_fake/payment_intents/${attempt.stripePaymentIntentId}/authenticate`}
      />
    </div>
  );
}
