import { authenticatedUser, declareRoute, NotFoundError } from '@ticketing/service';
import { z } from 'zod';
import type { PaymentsContext } from '../context';
import { attemptResponse, toAttemptResponse } from '../models/attempt';
import { paymentResponse, toPaymentResponse } from '../models/payment';
import { findOwnOrder } from './find-own-order';
import { findPayment } from './find-payment';

const uuid = (field: string) => z.uuid({ error: `${field} must be a UUID` });

/** The buyer's attempt: what came of a payment started with `Prefer: respond-async`. */
export const showAttemptRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/attempts/:id',
    summary: 'Your payment attempt (poll it after Prefer: respond-async)',
    access: 'user',
    params: z.object({ id: uuid('id') }),
    responses: { 200: { description: 'The attempt', body: attemptResponse } },
    errors: { 403: 'Not your attempt', 404: 'No such attempt' },
  },
  ({ db }: PaymentsContext) =>
    async ({ params }, req, res) => {
      const attempt = await db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('id', '=', params.id)
        .executeTakeFirst();
      if (!attempt) throw new NotFoundError('Payment attempt not found');
      await findOwnOrder(db, attempt.order_id, authenticatedUser(req));
      res.json(toAttemptResponse(attempt));
    },
);

/** The buyer's payments of one order: zero or one. */
export const listOrderPaymentsRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments',
    summary: 'The payments of your order',
    access: 'user',
    query: z.object({ orderId: uuid('orderId') }),
    responses: { 200: { description: 'Zero or one payment', body: z.array(paymentResponse) } },
    errors: { 403: 'Not your order', 404: 'No such order' },
  },
  ({ db }: PaymentsContext) =>
    async ({ query }, req, res) => {
      const order = await findOwnOrder(db, query.orderId, authenticatedUser(req));
      const payments = await db.selectFrom('payments').selectAll().where('order_id', '=', order.id).execute();
      res.json(payments.map(toPaymentResponse));
    },
);

/** The buyer's payment. */
export const showPaymentRoute = declareRoute(
  {
    method: 'get',
    path: '/api/payments/:id',
    summary: 'Your payment',
    access: 'user',
    params: z.object({ id: uuid('id') }),
    responses: { 200: { description: 'The payment', body: paymentResponse } },
    errors: { 403: 'Not your payment', 404: 'No such payment' },
  },
  ({ db }: PaymentsContext) =>
    async ({ params }, req, res) => {
      const payment = await findPayment(db, params.id);
      await findOwnOrder(db, payment.order_id, authenticatedUser(req));
      res.json(toPaymentResponse(payment));
    },
);
