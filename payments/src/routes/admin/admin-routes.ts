import {
  authenticatedUser,
  BadRequestError,
  IDEMPOTENCY_KEY_HEADER,
  idempotency,
  NotFoundError,
  pageFields,
  parseQuery,
  readPageRequest,
  requireAdmin,
  sendPage,
  validateRequest,
} from '@ticketing/common';
import { Router } from 'express';
import { body, header, param } from 'express-validator';
import { z } from 'zod';
import { paymentWork, type PaymentsContext } from '../../context';
import { refundRequested } from '../../lifecycle/payment-lifecycle';
import { toPaymentResponse } from '../../models/payment';
import { derivedId } from '../../models/derived-id';
import { decideNow } from '../../models/payment-triggers';
import { toRefundResponse } from '../../models/refund';
import { stuckItems } from '../../reconciliation/stuck-items';
import { findAttempts, toAdminAttemptResponse } from '../../reporting/attempt-ledger';
import { attemptStats } from '../../reporting/attempt-stats';
import { readOrderTimeline } from '../../reporting/order-timeline';
import { findPayments, toAdminPaymentResponse } from '../../reporting/payment-ledger';
import { crashPoint } from '../../crash-points';
import { statsQuery, statsWindow } from './stats-query';
import { textFilter } from './text-filter';
import { timeWindowFields, windowInOrder } from './time-window';

/** Admin lists are longer than the buyers' (100 rows, 500 at most): an operator scans, a buyer pages. */
const adminPageFields = pageFields({ defaultSize: 100, maxSize: 500 });
const userId = textFilter('userId', 200).optional().describe("the buyer's user id");
const orderId = z.uuid({ error: 'orderId must be a UUID' }).optional();

export const attemptsQuery = z
  .object({
    outcome: z
      .enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled'], {
        error: 'outcome is not an attempt status',
      })
      .optional(),
    code: textFilter('code', 100).optional().describe("Stripe's error or decline code"),
    orderId,
    userId,
    ...timeWindowFields,
    ...adminPageFields,
  })
  .superRefine(windowInOrder);

export const paymentsQuery = z
  .object({
    status: z
      .enum(['succeeded', 'refunded'], { error: 'status is not a payment status' })
      .optional()
      .describe('refunded: all of the money went back'),
    orderId,
    userId,
    ...timeWindowFields,
    ...adminPageFields,
  })
  .superRefine(windowInOrder);

export const refundsQuery = z.object({
  status: z
    .enum(['requested', 'pending', 'succeeded', 'failed', 'canceled'], {
      error: 'status is not a refund status',
    })
    .optional(),
  paymentId: z.uuid({ error: 'paymentId must be a UUID' }).optional(),
  limit: adminPageFields.limit,
});

/**
 * For operators (role admin): the attempt ledger, payments, one order's timeline, success and declines over
 * time, refunds, and what the sweep has not finished.
 */
export function adminRouter(context: PaymentsContext): Router {
  const { db } = context;
  const work = paymentWork(context);
  return Router()
    .get('/api/payments/admin/attempts', requireAdmin, async (req, res) => {
      const filters = readPageRequest(attemptsQuery, req.query);
      sendPage(req, res, await findAttempts(db, filters), filters, toAdminAttemptResponse);
    })
    .get('/api/payments/admin/payments', requireAdmin, async (req, res) => {
      const filters = readPageRequest(paymentsQuery, req.query);
      sendPage(req, res, await findPayments(db, filters), filters, (row) =>
        toAdminPaymentResponse(row, row.buyer_id),
      );
    })
    .get(
      '/api/payments/admin/orders/:orderId',
      requireAdmin,
      param('orderId').isUUID().withMessage('orderId must be a UUID'),
      validateRequest,
      async (req, res) => {
        const timeline = await readOrderTimeline(db, req.params.orderId as string);
        if (!timeline) throw new NotFoundError('Order not found');
        res.json(timeline);
      },
    )
    .get('/api/payments/admin/stats', requireAdmin, async (req, res) => {
      res.json(await attemptStats(db, statsWindow(parseQuery(statsQuery, req.query), new Date())));
    })
    .get('/api/payments/admin/refunds', requireAdmin, async (req, res) => {
      const filters = parseQuery(refundsQuery, req.query);
      let query = db.selectFrom('refunds').selectAll().orderBy('created_at', 'desc').limit(filters.limit);
      if (filters.status) query = query.where('status', '=', filters.status);
      if (filters.paymentId) query = query.where('payment_id', '=', filters.paymentId);
      res.json((await query.execute()).map(toRefundResponse));
    })
    .get('/api/payments/admin/stuck', requireAdmin, async (_req, res) => {
      res.json(await stuckItems(db));
    })
    .post(
      '/api/payments/admin/payments/:id/refunds',
      requireAdmin,
      // Money moves: a retry must be recognisable as one, so the key is required, not optional.
      header(IDEMPOTENCY_KEY_HEADER)
        .exists()
        .withMessage('is required to refund, so that a retry refunds once'),
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
        const refundId = derivedId([authenticatedUser(req).id, req.get(IDEMPOTENCY_KEY_HEADER), payment.id]);
        const decision = await decideNow(work, payment.order_id, (state, context) =>
          refundRequested(
            state,
            { refundId, amount: req.body.amount, reason: req.body.reason ?? 'requested_by_admin' },
            context,
          ),
        );
        if (decision.refused) throw new BadRequestError(decision.refused);
        crashPoint('refund-recorded');
        const refund = await db
          .selectFrom('refunds')
          .selectAll()
          .where('id', '=', refundId)
          .executeTakeFirstOrThrow();
        const refunded = await db
          .selectFrom('payments')
          .selectAll()
          .where('id', '=', payment.id)
          .executeTakeFirstOrThrow();
        // 202 while Stripe has not acknowledged it: the sweep sends it again under the same key.
        res
          .status(refund.status === 'requested' ? 202 : 201)
          .json({ refund: toRefundResponse(refund), payment: toPaymentResponse(refunded) });
      },
    );
}
