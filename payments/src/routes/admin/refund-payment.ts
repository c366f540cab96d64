import { authenticatedUser, BadRequestError, declareRoute, IDEMPOTENCY_KEY_HEADER } from '@ticketing/service';
import { z } from 'zod';
import { paymentWork, type PaymentsContext } from '../../context';
import { crashPoint } from '../../crash-points';
import { refundRequested } from '../../lifecycle/payment-lifecycle';
import { derivedId } from '../../models/derived-id';
import { paymentResponse, toPaymentResponse } from '../../models/payment';
import { decideNow } from '../../models/payment-triggers';
import { refundResponse, toRefundResponse } from '../../models/refund';
import { findPayment } from '../find-payment';

const refunded = z.object({ refund: refundResponse, payment: paymentResponse });
const amountRule = 'amount must be a positive whole number of minor units';
const reasonRule = 'reason must be 1 to 100 characters';

export const refundPaymentRoute = declareRoute(
  {
    method: 'post',
    path: '/api/payments/admin/payments/:id/refunds',
    summary: 'Admin: refund a payment, wholly or in part',
    access: 'admin',
    // Money moves: a retry must be recognisable as one, so the key is required, not optional.
    idempotency: 'required',
    params: z.object({ id: z.uuid({ error: 'id must be a UUID' }) }),
    body: z.object({
      amount: z
        .number({ error: amountRule })
        .int({ error: amountRule })
        .min(1, { error: amountRule })
        .optional()
        .describe('minor units; all that is left by default'),
      reason: z
        .string({ error: reasonRule })
        .min(1, { error: reasonRule })
        .max(100, { error: reasonRule })
        .optional(),
    }),
    responses: {
      201: {
        description: 'Stripe has the refund: pending, succeeded or failed (only succeeded is money returned)',
        body: refunded,
      },
      202: {
        description: 'Recorded, not acknowledged by Stripe yet: it is sent again under the same key',
        body: refunded,
      },
    },
    errors: { 400: 'Invalid amount, more than is left, or no Idempotency-Key', 404: 'No such payment' },
  },
  (context: PaymentsContext) => {
    const { db } = context;
    const work = paymentWork(context);
    return async ({ params, body }, req, res) => {
      const payment = await findPayment(db, params.id);
      const refundId = derivedId([authenticatedUser(req).id, req.get(IDEMPOTENCY_KEY_HEADER), payment.id]);
      const decision = await decideNow(work, payment.order_id, (state, decisionContext) =>
        refundRequested(
          state,
          { refundId, amount: body.amount, reason: body.reason ?? 'requested_by_admin' },
          decisionContext,
        ),
      );
      if (decision.refused) throw new BadRequestError(decision.refused);
      crashPoint('refund-recorded');
      const refund = await db
        .selectFrom('refunds')
        .selectAll()
        .where('id', '=', refundId)
        .executeTakeFirstOrThrow();
      const after = await db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', payment.id)
        .executeTakeFirstOrThrow();
      // 202 while Stripe has not acknowledged it: the sweep sends it again under the same key.
      res
        .status(refund.status === 'requested' ? 202 : 201)
        .json({ refund: toRefundResponse(refund), payment: toPaymentResponse(after) });
    };
  },
);
