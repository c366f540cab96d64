import type Stripe from 'stripe';

/** What the lifecycle needs of a PaymentIntent Stripe returned. */
export interface IntentSnapshot {
  id: string;
  status: Stripe.PaymentIntent.Status;
  amount: number;
  amountReceived: number;
  currency: string;
  latestChargeId: string | null;
  lastError: { code: string; declineCode: string | null; message: string } | null;
  clientSecret: string | null;
}

/** What the lifecycle needs of a Refund Stripe returned. */
export interface RefundSnapshot {
  id: string;
  intentId: string | null;
  amount: number;
  status: string | null;
  failureReason: string | null;
  /** Ours, when we asked for it: the local refund and why. */
  localRefundId: string | null;
  reason: string | null;
}

/** The id of a Stripe reference, which the API gives as an id or, when expanded, as the object. */
export function idOf(reference: string | { id: string } | null | undefined): string | null {
  return typeof reference === 'string' ? reference : (reference?.id ?? null);
}

export function intentSnapshot(intent: Stripe.PaymentIntent): IntentSnapshot {
  const error = intent.last_payment_error;
  return {
    id: intent.id,
    status: intent.status,
    amount: intent.amount,
    amountReceived: intent.amount_received,
    currency: intent.currency,
    latestChargeId: idOf(intent.latest_charge),
    lastError: error
      ? {
          code: error.code ?? 'payment_failed',
          declineCode: error.decline_code ?? null,
          message: error.message ?? 'The payment failed',
        }
      : null,
    clientSecret: intent.client_secret,
  };
}

export function refundSnapshot(refund: Stripe.Refund): RefundSnapshot {
  return {
    id: refund.id,
    intentId: idOf(refund.payment_intent),
    amount: refund.amount,
    status: refund.status,
    failureReason: refund.failure_reason ?? null,
    localRefundId: refund.metadata?.refundId ?? null,
    reason: refund.metadata?.reason ?? refund.reason ?? null,
  };
}
