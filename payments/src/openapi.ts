import {
  buildOpenApiDocument,
  errorResponse,
  IDEMPOTENCY_KEY_HEADER,
  liveStateOperation,
} from '@ticketing/common';
import { z } from 'zod';
import { attemptResponse } from './models/attempt';
import { orderPaymentsResponse } from './models/order-payments-response';
import { paymentResponse } from './models/payment';
import { refundResponse } from './models/refund';
import { stuckItemsResponse } from './reconciliation/stuck-items';
import { adminAttemptResponse } from './reporting/attempt-ledger';
import { attemptStatsResponse } from './reporting/attempt-stats';
import { orderTimelineResponse } from './reporting/order-timeline';
import { adminPaymentResponse } from './reporting/payment-ledger';
import { attemptsQuery, paymentsQuery, refundsQuery } from './routes/admin/admin-routes';
import { MAX_BUCKETS, statsQuery } from './routes/admin/stats-query';

const nextPage = { Link: 'rel="next": the next page, when there is one' };

const pendingAttempt = z.object({
  attempt: attemptResponse,
  clientSecret: z
    .string()
    .nullable()
    .optional()
    .describe('for 3-D Secure: hand it to Stripe.js to authenticate'),
});

/** The payments service's HTTP API. */
export const paymentsOpenApi = buildOpenApiDocument({
  title: 'Ticketing: payments',
  version: '1.0.0',
  description:
    'Pays orders through Stripe PaymentIntents. Amounts are integer minor units. A payment needing 3-D Secure answers 202 ' +
    'with a clientSecret and completes through Stripe; poll GET /api/orders/{id} for status complete.',
  operations: [
    {
      method: 'post',
      path: '/api/payments',
      summary: 'Pay for an order with a PaymentMethod or a card token',
      authenticated: true,
      headers: {
        [IDEMPOTENCY_KEY_HEADER]: {
          description: 'a retry with the same key gets the first answer and charges nothing',
        },
        Prefer: { description: '"respond-async": answer 202 at once and charge in the background' },
      },
      requestBody: z.object({
        orderId: z.uuid(),
        paymentMethod: z.string().optional().describe('pm_...; give this or token'),
        token: z.string().optional().describe('tok_...; give this or paymentMethod'),
      }),
      responses: {
        201: { description: 'Paid', body: paymentResponse, headers: { Location: 'the payment' } },
        202: {
          description: '3-D Secure needed (clientSecret), or the attempt runs in the background',
          body: pendingAttempt,
        },
        402: {
          description: 'Declined: errors[0].code is the decline code; the attempt is recorded',
          body: errorResponse.extend({ attempt: attemptResponse }),
        },
      },
      errors: {
        400: 'Invalid input, unknown payment method, or the order was cancelled',
        403: 'Not your order',
        404: 'No such order (yet: it may still be on its way here)',
        409: 'Already paid, a payment is in progress, or the Idempotency-Key is in use',
        422: 'Idempotency-Key reused with another request',
      },
    },
    {
      method: 'get',
      path: '/api/payments',
      summary: 'The payments of your order',
      authenticated: true,
      query: z.object({ orderId: z.uuid() }),
      responses: { 200: { description: 'Zero or one payment', body: z.array(paymentResponse) } },
      errors: { 400: 'Invalid orderId', 403: 'Not your order', 404: 'No such order' },
    },
    {
      method: 'get',
      path: '/api/payments/{id}',
      summary: 'Your payment',
      authenticated: true,
      responses: { 200: { description: 'The payment', body: paymentResponse } },
      errors: { 400: 'Invalid id', 403: 'Not your payment', 404: 'No such payment' },
    },
    {
      method: 'get',
      path: '/api/payments/attempts/{id}',
      summary: 'Your payment attempt (poll it after Prefer: respond-async)',
      authenticated: true,
      responses: { 200: { description: 'The attempt', body: attemptResponse } },
      errors: { 400: 'Invalid id', 403: 'Not your attempt', 404: 'No such attempt' },
    },
    {
      method: 'post',
      path: '/api/payments/webhooks/stripe',
      summary: "Stripe's webhooks (signed)",
      responses: {
        200: {
          description: 'Received',
          body: z.object({ received: z.literal(true), duplicate: z.boolean().optional() }),
        },
      },
      errors: { 400: 'Bad signature' },
    },
    {
      method: 'get',
      path: '/api/payments/admin/attempts',
      summary: 'Admin: the attempt ledger, newest first, a page at a time',
      authenticated: true,
      query: attemptsQuery,
      responses: {
        200: { description: 'A page of attempts', body: z.array(adminAttemptResponse), headers: nextPage },
      },
      errors: { 400: 'Invalid filter or cursor, or from after to', 403: 'Not an admin' },
    },
    {
      method: 'get',
      path: '/api/payments/admin/payments',
      summary: 'Admin: payments, newest first, a page at a time',
      authenticated: true,
      query: paymentsQuery,
      responses: {
        200: { description: 'A page of payments', body: z.array(adminPaymentResponse), headers: nextPage },
      },
      errors: { 400: 'Invalid filter or cursor, or from after to', 403: 'Not an admin' },
    },
    {
      method: 'get',
      path: '/api/payments/admin/orders/{orderId}',
      summary: 'Admin: one order, its attempts, payment and refunds, and their timeline',
      authenticated: true,
      responses: { 200: { description: 'The order and its timeline', body: orderTimelineResponse } },
      errors: {
        400: 'Invalid orderId',
        403: 'Not an admin',
        404: 'This service has no such order (yet: it may still be on its way)',
      },
    },
    {
      method: 'get',
      path: '/api/payments/admin/stats',
      summary: 'Admin: attempts, success rate and declines per hour or day, counted by the server',
      authenticated: true,
      query: statsQuery,
      responses: {
        200: {
          description:
            'Attempts created in [from, to) (the last 7 days by default), per UTC hour or day and in total. ' +
            'successRate = succeeded / (succeeded + failed): only finished attempts count; pending, 3-D Secure ' +
            'and canceled (withdrawn by us) ones do not; null when none finished. declines: failed attempts by ' +
            "Stripe's decline code, or its error code when there is none.",
          body: attemptStatsResponse,
        },
      },
      errors: {
        400: `Invalid from, to or bucket, from after to, or more than ${MAX_BUCKETS} buckets`,
        403: 'Not an admin',
      },
    },
    {
      method: 'get',
      path: '/api/payments/admin/refunds',
      summary: 'Admin: refunds, newest first (status=failed: the ones to look at)',
      authenticated: true,
      query: refundsQuery,
      responses: { 200: { description: 'Refunds', body: z.array(refundResponse) } },
      errors: { 400: 'Invalid filter', 403: 'Not an admin' },
    },
    {
      method: 'get',
      path: '/api/payments/admin/stuck',
      summary: 'Admin: what the sweep has not finished yet, and how long the oldest of each kind has waited',
      authenticated: true,
      responses: { 200: { description: 'Counts and ages', body: stuckItemsResponse } },
      errors: { 403: 'Not an admin' },
    },
    {
      method: 'post',
      path: '/api/payments/admin/payments/{id}/refunds',
      summary: 'Admin: refund a payment, wholly or in part',
      authenticated: true,
      headers: {
        [IDEMPOTENCY_KEY_HEADER]: { description: 'required: a retry with the same key refunds nothing more' },
      },
      requestBody: z.object({
        amount: z.number().int().min(1).optional().describe('minor units; all that is left by default'),
        reason: z.string().max(100).optional(),
      }),
      responses: {
        201: {
          description:
            'Stripe has the refund: pending, succeeded or failed (only succeeded is money returned)',
          body: z.object({ refund: refundResponse, payment: paymentResponse }),
        },
        202: {
          description: 'Recorded, not acknowledged by Stripe yet: it is sent again under the same key',
          body: z.object({ refund: refundResponse, payment: paymentResponse }),
        },
      },
      errors: {
        400: 'Invalid amount, more than is left, or no Idempotency-Key',
        403: 'Not an admin',
        404: 'No such payment',
      },
    },
    {
      method: 'get',
      path: '/api/payments/openapi.json',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1' } },
    },
    {
      method: 'get',
      path: '/api/payments/orders/{orderId}',
      summary: "Your order's attempts, payment and refunds: poll it while the event stream is unavailable",
      authenticated: true,
      responses: { 200: { description: 'Everything about paying the order', body: orderPaymentsResponse } },
      errors: { 400: 'Invalid orderId', 403: 'Not your order', 404: 'No such order (yet)' },
    },
    liveStateOperation({
      path: '/api/payments/orders/{orderId}/events',
      summary:
        'Paying your order, live: what GET /api/payments/orders/{orderId} answers, again on every change',
      state: orderPaymentsResponse,
      errors: { 400: 'Invalid orderId', 403: 'Not your order', 404: 'No such order (yet)' },
    }),
  ],
});
