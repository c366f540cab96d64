/** The API version stripe@23 pins; events carry it as Stripe's carry the account's version. */
export const API_VERSION = '2026-10-28.endive';

export type StripeEventType =
  | 'payment_intent.created'
  | 'payment_intent.requires_action'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'charge.succeeded'
  | 'charge.failed'
  | 'charge.refunded'
  | 'refund.created';

/** The API request that caused an event; both are null for changes made through the fake's test controls. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  /** A copy of the object as it was when the event happened. */
  data: { object: object };
  livemode: false;
  /** How many webhook deliveries of this event have yet to succeed (0 or 1: the fake has one endpoint). */
  pending_webhooks: number;
  request: EventRequest;
  type: StripeEventType;
}
