import type { ServiceContext } from '@ticketing/service';
import type { PaymentsConfig } from './config';
import type { PaymentsDatabase } from './database/schema';
import type { PaymentWork } from './models/payment-triggers';
import { stripeClient } from './stripe/stripe-client';

/** What the payments service's routes, listeners and tasks are given. */
export type PaymentsContext = ServiceContext<PaymentsDatabase, PaymentsConfig>;

/** What the payment lifecycle's triggers work with, from the running service. */
export function paymentWork({ db, config, logger }: PaymentsContext): PaymentWork {
  return {
    db,
    stripe: stripeClient(config),
    logger,
    attemptHoldSeconds: config.PAYMENT_ATTEMPT_HOLD_SECONDS,
    refundRetryBaseSeconds: config.PAYMENT_REFUND_RETRY_SECONDS,
  };
}
