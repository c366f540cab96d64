import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@ticketing/contracts';
import {
  authenticatedUser,
  BadRequestError,
  ConflictError,
  declareRoute,
  errorResponse,
  IDEMPOTENCY_KEY_HEADER,
  NotFoundError,
  isUniqueViolation,
  RequestValidationError,
  retryTransaction,
  type CurrentUser,
} from '@ticketing/service';
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { paymentWork, type PaymentsContext } from '../context';
import type { PaymentsDatabase } from '../database/schema';
import { PaymentDeclinedError } from '../errors/payment-declined-error';
import { attemptResponse, toAttemptResponse, type AttemptRow } from '../models/attempt';
import { holdUntil, takeAttempt } from '../models/attempt-hold';
import { outcomeOf, type AttemptOutcome } from '../models/attempt-outcome';
import { derivedId } from '../models/derived-id';
import { attemptStarted } from '../lifecycle/payment-lifecycle';
import { lockOrder, unpayableReason } from '../models/order-replica';
import { decideIn, type PaymentWork } from '../models/payment-triggers';
import { paymentResponse, toPaymentResponse } from '../models/payment';
import { processAttempt } from '../models/process-attempt';
import { findOwnOrder } from './find-own-order';
import { crashPoint } from '../crash-points';

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
      throw new BadRequestError(
        outcome.attempt.error_code === 'order_not_payable'
          ? (outcome.attempt.error_message ?? 'The order can no longer be paid')
          : 'The order was cancelled',
      );
    case 'pending':
      res.status(202).json({ attempt: toAttemptResponse(outcome.attempt) });
  }
}

/**
 * The attempt a request makes. With an Idempotency-Key it is derived from the key and the request, so a
 * retry after the first request's process died finds the attempt that request made and resumes it,
 * rather than making a second one.
 */
function attemptIdFor(req: Request, buyer: CurrentUser, body: PaymentRequest): string {
  const key = req.get(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return randomUUID();
  return derivedId([buyer.id, key, body.orderId, body.paymentMethod, body.token]);
}

/**
 * Starts an attempt for an order that can still be paid, under the order's lock: its deadline, its
 * cancellation and its payment take that lock too, so none of them can slip in between the check and the
 * insert. An older attempt still waiting on 3-D Secure ends: this one confirms the order's intent anew.
 */
async function startAttempt(
  db: Kysely<PaymentsDatabase>,
  values: Omit<AttemptRow, 'status' | 'created_at' | 'updated_at' | 'key_generation' | 'locked_until'> & {
    holdSeconds: number;
  },
): Promise<AttemptRow> {
  const { holdSeconds, ...attempt } = values;
  return retryTransaction(db, async (trx) => {
    const order = await lockOrder(trx, attempt.order_id);
    if (!order) throw new NotFoundError('Order not found');
    const refusal = unpayableReason(order, new Date());
    if (refusal) {
      if (order.status === OrderStatus.Complete) throw new ConflictError(refusal);
      throw new BadRequestError(refusal);
    }
    const started = await trx
      .insertInto('payment_attempts')
      .values({ ...attempt, status: 'pending', locked_until: holdUntil(holdSeconds) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await decideIn(trx, attempt.order_id, (state) => attemptStarted(state, started.id));
    return started;
  });
}

/**
 * A retry of a request whose attempt exists: what it came to, or, if its worker died before it settled, the
 * attempt resumed. While another worker still holds it (the sweep, or the dead worker's hold not lapsed
 * yet) the answer is a 409, which is not kept under the key: the retry after it gets the outcome.
 */
async function resumeAttempt(context: PaymentWork, attempt: AttemptRow, holdSeconds: number) {
  if (attempt.status === 'pending') {
    const taken = await takeAttempt(context.db, attempt.id, holdSeconds);
    if (!taken) throw new ConflictError('A payment for this order is in progress');
    return processAttempt(context, taken);
  }
  return outcomeOf(context.db, attempt.id);
}

const paymentRequest = z
  .object({
    orderId: z.uuid({ error: 'orderId must be a UUID' }),
    paymentMethod: z
      .string()
      .regex(/^pm_\w+$/, { error: 'paymentMethod must be a Stripe PaymentMethod id (pm_...)' })
      .max(255)
      .optional()
      .describe('pm_...; give this or token'),
    token: z
      .string()
      .regex(/^tok_\w+$/, { error: 'token must be a Stripe card token (tok_...)' })
      .max(255)
      .optional()
      .describe('tok_...; give this or paymentMethod'),
  })
  .refine((request) => (request.paymentMethod === undefined) !== (request.token === undefined), {
    path: ['paymentMethod'],
    error: 'give either paymentMethod or token',
  });

type PaymentRequest = z.output<typeof paymentRequest>;

const pendingAttempt = z.object({
  attempt: attemptResponse,
  clientSecret: z
    .string()
    .nullable()
    .optional()
    .describe('for 3-D Secure: hand it to Stripe.js to authenticate'),
});

export const createPaymentRoute = declareRoute(
  {
    method: 'post',
    path: '/api/payments',
    summary: 'Pay for an order with a PaymentMethod or a card token',
    description:
      'An order created a moment ago may not have reached payments yet: the request waits for it, up to ' +
      'PAYMENT_ORDER_WAIT_MS (5 s by default), and answers 404 only if it has not arrived by then.',
    access: 'user',
    idempotency: 'optional',
    headers: z.object({
      prefer: z
        .string()
        .max(200)
        .optional()
        .describe('"respond-async": answer 202 at once and charge in the background'),
    }),
    body: paymentRequest,
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
      404: 'No such order, after waiting for one created a moment ago to arrive',
      409: 'Already paid, a payment is in progress, or the Idempotency-Key is in use',
    },
  },
  (service: PaymentsContext) => {
    const { db, config, logger } = service;
    const holdSeconds = config.PAYMENT_ATTEMPT_HOLD_SECONDS;
    const arrival = { hub: service.notifications, waitMs: config.PAYMENT_ORDER_WAIT_MS };
    const context = paymentWork(service);
    return async ({ body, headers }, req, res) => {
      const buyer = authenticatedUser(req);
      const order = await findOwnOrder(db, body.orderId, buyer, arrival);
      const attemptId = attemptIdFor(req, buyer, body);
      const made = await db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('id', '=', attemptId)
        .executeTakeFirst();
      if (made) {
        sendOutcome(res, await resumeAttempt(context, made, holdSeconds));
        return;
      }
      if (order.status === OrderStatus.Cancelled) throw new BadRequestError('The order was cancelled');
      const paid = await db
        .selectFrom('payments')
        .select('id')
        .where('order_id', '=', order.id)
        .executeTakeFirst();
      if (paid || order.status === OrderStatus.Complete) throw new ConflictError('The order is already paid');

      let attempt: AttemptRow;
      try {
        attempt = await startAttempt(db, {
          id: attemptId,
          order_id: order.id,
          user_id: buyer.id,
          // The contract takes exactly one of the two.
          payment_method: body.paymentMethod ?? (body.token as string),
          amount: order.amount,
          currency: order.currency,
          stripe_payment_intent_id: null,
          stripe_charge_id: null,
          error_code: null,
          decline_code: null,
          error_message: null,
          holdSeconds,
        });
      } catch (error) {
        if (isUniqueViolation(error, ONE_ATTEMPT_AT_A_TIME))
          throw new ConflictError('A payment for this order is in progress');
        throw error;
      }

      crashPoint('attempt-started');
      if (prefersAsync(headers.prefer)) {
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
    };
  },
);
