import { defineServiceConfig } from '@ticketing/service';
import { z } from 'zod';

export const paymentsConfig = defineServiceConfig({
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_...)'),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_...)'),
  /** Another Stripe API base, e.g. the project's Stripe fake; unset, the SDK talks to Stripe. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * How long a worker's hold on a payment attempt lasts without renewal: an attempt cut off by a crash is
   * resumed this long after it.
   */
  PAYMENT_ATTEMPT_HOLD_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  /** A 3-D Secure attempt unchanged this long is read again from Stripe, in case its webhook was lost. */
  PAYMENT_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * How long POST /api/payments waits for an order it has not heard of yet (its orders.created still on its
   * way here) before answering 404. The wait holds no database connection; 0 answers at once.
   */
  PAYMENT_ORDER_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(5_000),
  /** How often the sweep resumes cut-off attempts, settles orders past their deadline and refunds. */
  PAYMENT_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(5),
  /**
   * A failed automatic refund (of a cancelled order's payment) is asked for again after this, doubling with
   * each failure; after five failures it waits for an operator.
   */
  PAYMENT_REFUND_RETRY_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Tests only: a file naming a step at which the service kills itself once; see `crash-points`. */
  TEST_CRASH_POINT_FILE: z.string().min(1).optional(),
  /** Longer than Stripe's three days of webhook retries, so a late duplicate is still recognised. */
  STRIPE_EVENT_RETENTION_DAYS: z.coerce.number().int().min(4).default(30),
});

export type PaymentsConfig = z.infer<typeof paymentsConfig>;
