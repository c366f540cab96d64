export { StripeFake, type StripeFakeOptions } from './stripe-fake';
export { StripeError, type StripeErrorBody, type StripeErrorType } from './stripe-error';
export type { Ledger, LedgerEntry } from './ledger';
export type { WebhookSettings } from './webhooks/webhook-settings';
export type { FailureMode, FailureOptions, FailureSettings } from './http/request-failures';
export type { WebhookControls, WebhookDelivery } from './webhooks/webhook-sender';
export type { AuthenticationOutcome } from './resources/payment-attempts';
export type {
  AutomaticPaymentMethods,
  NextAction,
  PaymentIntent,
  PaymentIntentStatus,
} from './resources/payment-intent';
export type { Charge } from './resources/charge';
export type { Refund, RefundFailureReason, RefundStatus } from './resources/refund';
export type { RefundSettlement, SettlementOutcome } from './resources/refunds';
export type { PaymentMethod } from './resources/payment-method';
export type { StripeEvent, StripeEventType, EventRequest } from './resources/stripe-event';
export type { ListPage } from './list-page';
export { seededRandom } from './seeded-random';
