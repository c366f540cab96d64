import { randomUUID } from 'node:crypto';
import type { EventData } from '@ticketing/contracts';
import { OpenApiValidator, ServiceUnderTest, waitFor } from '@ticketing/testing';
import { StripeFake } from '@ticketing/stripe-fake';
import request, { type Response } from 'supertest';
import type { PaymentsConfig } from '../src/config';
import type { PaymentsDatabase } from '../src/database/schema';
import { paymentsOpenApi } from '../src/openapi';
import { sweepOnce } from '../src/reconciliation/reconciliation-sweep';
import { paymentsService } from '../src/service';
import { stripeClient } from '../src/stripe/stripe-client';

const openApi = new OpenApiValidator(paymentsOpenApi);

function conformsToOpenApi(response: Response): void {
  const req = (response as unknown as { req: { method: string; path: string } }).req;
  openApi.check(req.method, req.path, response);
}

export type PaymentsUnderTest = ServiceUnderTest<PaymentsDatabase, PaymentsConfig>;

export const WEBHOOK_SECRET = 'whsec_test_payments';

/** The payments service against the project's Stripe fake, which posts its webhooks back to the service. */
export async function startPayments(env: Record<string, string> = {}) {
  const stripe = await StripeFake.start({ webhookSecret: WEBHOOK_SECRET, webhookRetryDelayMs: 50 });
  const payments = await ServiceUnderTest.start(paymentsService, {
    STRIPE_SECRET_KEY: 'sk_test_payments',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.url,
    PAYMENT_RECONCILE_INTERVAL_SECONDS: '3600',
    ...env,
  });
  stripe.webhooks.configure({ url: `${payments.url}/api/payments/webhooks/stripe` });
  return {
    payments,
    stripe,
    async stop() {
      await stripe.stop();
      await payments.stop();
    },
  };
}

/**
 * The service and its Stripe fake for one describe block, with the sweep left to the tests (see `sweep`)
 * and the fake's latency and failures undone after each test.
 */
export function paymentsWithSweepOnDemand(env: Record<string, string> = {}) {
  const running = {} as { payments: PaymentsUnderTest; stripe: StripeFake };
  let stop: () => Promise<void>;
  beforeAll(async () => {
    let payments: PaymentsUnderTest;
    let stripe: StripeFake;
    ({ payments, stripe, stop } = await startPayments({
      PAYMENT_RECONCILE_INTERVAL_SECONDS: '3600',
      ...env,
    }));
    Object.assign(running, { payments, stripe });
  });
  afterAll(async () => {
    await stop();
  });
  afterEach(() => {
    running.stripe.setLatency(0);
    running.stripe.setFailures({ mode: 'none' });
    running.stripe.setRefundSettlement('immediate');
    running.stripe.webhooks.flush();
    running.stripe.webhooks.configure({ duplicate: false, outOfOrder: false });
  });
  return running;
}

/** supertest against the service, every response checked against its OpenAPI document. */
export function api(payments: PaymentsUnderTest) {
  const agent = request(payments.url);
  return {
    get: (path: string) => agent.get(path).expect(conformsToOpenApi),
    post: (path: string) => agent.post(path).expect(conformsToOpenApi),
  };
}

/** Tells the service about a new order, as the orders service would, and waits until it has it. */
export async function replicateOrder(
  payments: PaymentsUnderTest,
  buyer: string,
  price = 2500,
  expiresAt = new Date(Date.now() + 900_000),
) {
  const order: EventData<'orders.created'> = {
    id: randomUUID(),
    version: 0,
    status: 'created',
    userId: buyer,
    expiresAt: expiresAt.toISOString(),
    ticket: { id: randomUUID(), price, currency: 'usd' },
  };
  await payments.publish('orders.created', order);
  await waitFor(() =>
    payments.db.selectFrom('orders').select('id').where('id', '=', order.id).executeTakeFirst(),
  );
  return order;
}

export async function pay(
  payments: PaymentsUnderTest,
  buyer: string,
  body: object,
  { status, headers = {} }: { status: number; headers?: Record<string, string> },
) {
  return api(payments)
    .post('/api/payments')
    .set('Authorization', await payments.bearer(buyer))
    .set(headers)
    .send(body)
    .expect(status);
}

/** Charges that moved money and kept it, per PaymentIntent, from the fake's ledger. */
export function keptCharges(stripe: StripeFake) {
  return stripe
    .ledger()
    .entries.filter((entry) => entry.status === 'succeeded' && entry.amount_captured > entry.amount_refunded);
}

/** The payments service's sweep, run once here and now rather than on its timer. */
export function sweep(payments: PaymentsUnderTest) {
  const { config } = payments.service;
  return sweepOnce(
    {
      db: payments.db,
      stripe: stripeClient(config),
      logger: payments.service.logger,
      refundRetryBaseSeconds: config.PAYMENT_REFUND_RETRY_SECONDS,
    },
    {
      staleAfterSeconds: 0,
      attemptHoldSeconds: config.PAYMENT_ATTEMPT_HOLD_SECONDS,
      resendAfterSeconds: 0,
      refundCheckIntervalSeconds: 0,
    },
  );
}

/** The payment's refunds as recorded, oldest first. */
export function recordedRefunds(payments: PaymentsUnderTest, paymentId: string) {
  return payments.db
    .selectFrom('refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .execute();
}

/** Cancels the order, as the orders service would. */
export function cancelOrder(
  payments: PaymentsUnderTest,
  order: { id: string; ticket: { id: string } },
  version = 1,
) {
  return payments.publish('orders.cancelled', {
    id: order.id,
    version,
    reason: 'user',
    ticket: { id: order.ticket.id },
  });
}

/** The order's attempts once none is still being charged. */
export function settledAttempts(payments: PaymentsUnderTest, orderId: string) {
  return waitFor(async () => {
    const attempts = await payments.db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute();
    return attempts.every((attempt) => attempt.status !== 'pending') && attempts;
  });
}
