import { authenticatedUser, NotFoundError, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { param, query } from 'express-validator';
import type { PaymentsContext } from '../context';
import { toAttemptResponse } from '../models/attempt';
import { toPaymentResponse } from '../models/payment';
import { findOwnOrder } from './find-own-order';

const uuid = (field: ReturnType<typeof param>) => field.isUUID().withMessage('must be a UUID');

/** What the buyer can read: their payments, by id or by order, and their attempts. */
export function showPaymentRouter({ db }: PaymentsContext): Router {
  return Router()
    .get('/api/payments/attempts/:id', requireAuth, uuid(param('id')), validateRequest, async (req, res) => {
      const attempt = await db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('id', '=', req.params.id as string)
        .executeTakeFirst();
      if (!attempt) throw new NotFoundError('Payment attempt not found');
      await findOwnOrder(db, attempt.order_id, authenticatedUser(req));
      res.json(toAttemptResponse(attempt));
    })
    .get('/api/payments', requireAuth, uuid(query('orderId')), validateRequest, async (req, res) => {
      const order = await findOwnOrder(db, req.query.orderId as string, authenticatedUser(req));
      const payments = await db.selectFrom('payments').selectAll().where('order_id', '=', order.id).execute();
      res.json(payments.map(toPaymentResponse));
    })
    .get('/api/payments/:id', requireAuth, uuid(param('id')), validateRequest, async (req, res) => {
      const payment = await db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', req.params.id as string)
        .executeTakeFirst();
      if (!payment) throw new NotFoundError('Payment not found');
      await findOwnOrder(db, payment.order_id, authenticatedUser(req));
      res.json(toPaymentResponse(payment));
    });
}
