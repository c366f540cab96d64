import { buildOpenApiDocument, errorResponse, IDEMPOTENCY_KEY_HEADER } from '@ticketing/common';
import { z } from 'zod';
import { attemptResponse } from './models/attempt';
import { paymentResponse } from './models/payment';
import { refundResponse } from './models/refund';
import { stuckItemsResponse } from './reconciliation/stuck-items';
import { attemptsQuery, refundsQuery } from './routes/admin/admin-routes';

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
      summary: 'Admin: the attempt ledger, newest first',
      authenticated: true,
      query: attemptsQuery,
      responses: { 200: { description: 'Attempts', body: z.array(attemptResponse) } },
      errors: { 400: 'Invalid filter', 403: 'Not an admin' },
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
  ],
});
