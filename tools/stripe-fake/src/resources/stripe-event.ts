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
  | 'charge.refund.updated'
  | 'refund.created'
  | 'refund.updated'
  | 'refund.failed';

/** The API request that caused an event; both are null for changes made through the fake's test controls. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/**
 * Changes no API request caused (test controls, a refund settling later) leave `request` empty, as Stripe does
 * for its own.
 */
export const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  /**
   * A copy of the object as it was when the event happened; for an update, the fields that changed with the
   * values they had before.
   */
  data: { object: object; previous_attributes?: object };
  livemode: false;
  /** How many webhook deliveries of this event have yet to succeed (0 or 1: the fake has one endpoint). */
  pending_webhooks: number;
  request: EventRequest;
  type: StripeEventType;
}
