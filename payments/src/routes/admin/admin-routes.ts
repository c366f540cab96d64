import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  idempotency,
  NotFoundError,
  parseQuery,
  requireAdmin,
  validateRequest,
} from '@ticketing/common';
import { Router } from 'express';
import Stripe from 'stripe';
import { body, param } from 'express-validator';
import { z } from 'zod';
import type { PaymentsContext } from '../../context';
import { toAttemptResponse } from '../../models/attempt';
import { toPaymentResponse } from '../../models/payment';
import { refundPayment } from '../../models/refund-payment';
import { whenStripeIsDown } from '../../stripe/stripe-failures';
import { stripeClient } from '../../stripe/stripe-client';

export const attemptsQuery = z.object({
  outcome: z
    .enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled'], {
      error: 'outcome is not an attempt status',
    })
    .optional(),
  code: z.string().min(1).optional().describe("Stripe's error or decline code"),
  orderId: z.uuid({ error: 'orderId must be a UUID' }).optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int()
    .min(1)
    .max(500, { error: 'limit must be at most 500' })
    .default(100),
});

/** For operators (role admin): the attempt ledger, and refunds. */
export function adminRouter({ db, config, logger }: PaymentsContext): Router {
  const stripe = stripeClient(config);
  return Router()
    .get('/api/payments/admin/attempts', requireAdmin, async (req, res) => {
      const filters = parseQuery(attemptsQuery, req.query);
      let query = db
        .selectFrom('payment_attempts')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(filters.limit);
      if (filters.outcome) query = query.where('status', '=', filters.outcome);
      if (filters.orderId) query = query.where('order_id', '=', filters.orderId);
      if (filters.code)
        query = query.where((eb) =>
          eb.or([
            eb('error_code', '=', filters.code as string),
            eb('decline_code', '=', filters.code as string),
          ]),
        );
      res.json((await query.execute()).map(toAttemptResponse));
    })
    .post(
      '/api/payments/admin/payments/:id/refunds',
      requireAdmin,
      idempotency(db),
      param('id').isUUID().withMessage('id must be a UUID'),
      body('amount')
        .optional()
        .isInt({ min: 1 })
        .withMessage('amount must be a positive whole number of minor units')
        .toInt(),
      body('reason')
        .optional()
        .isString()
        .isLength({ min: 1, max: 100 })
        .withMessage('reason must be 1 to 100 characters'),
      validateRequest,
      async (req, res) => {
        const payment = await db
          .selectFrom('payments')
          .selectAll()
          .where('id', '=', req.params.id as string)
          .executeTakeFirst();
        if (!payment) throw new NotFoundError('Payment not found');
        let refund: Stripe.Refund;
        try {
          refund = await refundPayment(db, stripe, logger, payment, {
            reason: req.body.reason ?? 'requested_by_admin',
            amount: req.body.amount,
            // Each admin request is its own refund; a retry of one carries the same Idempotency-Key header.
            requestKey: req.get('Idempotency-Key') ?? randomUUID(),
          });
        } catch (error) {
          if (error instanceof Stripe.errors.StripeInvalidRequestError)
            throw new BadRequestError(error.message);
          return whenStripeIsDown(error);
        }
        const refunded = await db
          .selectFrom('payments')
          .selectAll()
          .where('id', '=', payment.id)
          .executeTakeFirstOrThrow();
        res.status(201).json({
          refund: { id: refund.id, amount: refund.amount, status: refund.status },
          payment: toPaymentResponse(refunded),
        });
      },
    );
}
