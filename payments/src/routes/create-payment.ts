import { randomUUID } from 'node:crypto';
import {
  authenticatedUser,
  BadRequestError,
  ConflictError,
  idempotency,
  isUniqueViolation,
  OrderStatus,
  RequestValidationError,
  requireAuth,
  validateRequest,
} from '@ticketing/common';
import { Router, type Response } from 'express';
import { body } from 'express-validator';
import type { PaymentsContext } from '../context';
import { PaymentDeclinedError } from '../errors/payment-declined-error';
import { toAttemptResponse, type AttemptRow } from '../models/attempt';
import type { AttemptOutcome } from '../models/attempt-outcome';
import { toPaymentResponse } from '../models/payment';
import { processAttempt } from '../models/process-attempt';
import { stripeClient } from '../stripe/stripe-client';
import { findOwnOrder } from './find-own-order';

const ONE_ATTEMPT_AT_A_TIME = 'payment_attempts_one_pending';

/** `Prefer: respond-async` (RFC 7240): answer 202 at once and charge in the background. */
function prefersAsync(prefer: string | undefined): boolean {
  return (
    prefer?.split(',').some((preference) => preference.trim().toLowerCase() === 'respond-async') ?? false
  );
}

/** The HTTP answer to an attempt's outcome: 201 paid, 202 waiting (3-D Secure or unknown yet), else an error. */
function sendOutcome(res: Response, outcome: AttemptOutcome): void {
  switch (outcome.kind) {
    case 'succeeded':
      if (outcome.payment.attempt_id !== outcome.attempt.id) {
        throw new ConflictError('The order is already paid');
      }
      if (outcome.payment.status === 'refunded') {
        throw new BadRequestError('The order was cancelled; the charge was refunded');
      }
      res
        .status(201)
        .location(`/api/payments/${outcome.payment.id}`)
        .json(toPaymentResponse(outcome.payment));
      return;
    case 'requires_action':
      res
        .status(202)
        .json({ attempt: toAttemptResponse(outcome.attempt), clientSecret: outcome.clientSecret });
      return;
    case 'failed':
      if (outcome.attempt.error_code === 'resource_missing') {
        throw new RequestValidationError([
          { message: outcome.attempt.error_message ?? 'Unknown payment method', field: 'paymentMethod' },
        ]);
      }
      throw new PaymentDeclinedError(outcome.attempt);
    case 'canceled':
      throw new BadRequestError('The order was cancelled');
    case 'pending':
      res.status(202).json({ attempt: toAttemptResponse(outcome.attempt) });
  }
}

export function createPaymentRouter({ db, config, logger }: PaymentsContext): Router {
  const stripe = stripeClient(config);
  const context = { db, stripe, logger };

  return Router().post(
    '/api/payments',
    requireAuth,
    idempotency(db),
    body('orderId').isUUID().withMessage('orderId must be a UUID'),
    body('paymentMethod')
      .optional()
      .matches(/^pm_\w+$/)
      .withMessage('paymentMethod must be a Stripe PaymentMethod id (pm_...)'),
    body('token')
      .optional()
      .matches(/^tok_\w+$/)
      .withMessage('token must be a Stripe card token (tok_...)'),
    body('paymentMethod')
      .custom((paymentMethod, { req }) => (paymentMethod === undefined) !== (req.body.token === undefined))
      .withMessage('give either paymentMethod or token'),
    validateRequest,
    async (req, res) => {
      const buyer = authenticatedUser(req);
      const order = await findOwnOrder(db, req.body.orderId, buyer);
      if (order.status === OrderStatus.Cancelled) throw new BadRequestError('The order was cancelled');
      const paid = await db
        .selectFrom('payments')
        .select('id')
        .where('order_id', '=', order.id)
        .executeTakeFirst();
      if (paid || order.status === OrderStatus.Complete) throw new ConflictError('The order is already paid');

      let attempt: AttemptRow;
      try {
        attempt = await db
          .insertInto('payment_attempts')
          .values({
            id: randomUUID(),
            order_id: order.id,
            user_id: buyer.id,
            payment_method: req.body.paymentMethod ?? req.body.token,
            status: 'pending',
            amount: order.amount,
            currency: order.currency,
            stripe_payment_intent_id: null,
            stripe_charge_id: null,
            error_code: null,
            decline_code: null,
            error_message: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      } catch (error) {
        if (isUniqueViolation(error, ONE_ATTEMPT_AT_A_TIME))
          throw new ConflictError('A payment for this order is in progress');
        throw error;
      }

      if (prefersAsync(req.get('Prefer'))) {
        res
          .status(202)
          .set('Preference-Applied', 'respond-async')
          .location(`/api/payments/attempts/${attempt.id}`);
        res.json({ attempt: toAttemptResponse(attempt) });
        // The attempt row is the durable record: if this process dies first, the sweep finishes it.
        processAttempt(context, attempt).catch((error: unknown) =>
          logger.error(
            { err: error, attemptId: attempt.id },
            'background payment attempt failed; the sweep will retry',
          ),
        );
        return;
      }
      sendOutcome(res, await processAttempt(context, attempt));
    },
  );
}
