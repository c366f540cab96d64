import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDatabase } from '../database/schema';
import type { AttemptStatus } from '../lifecycle/order-payments';
import { attemptResponse, toAttemptResponse, type AttemptRow } from '../models/attempt';
import { newestFirstPage, type CreatedWindowPage } from './newest-first-page';

/** An attempt as operators see it: with its buyer, and when it last changed. */
export const adminAttemptResponse = attemptResponse.extend({
  userId: z.string().describe('the buyer'),
  updatedAt: z.iso
    .datetime({ offset: true })
    .describe('when it reached its status; while pending or requires_action, when it was last checked'),
});

export type AdminAttemptResponse = z.infer<typeof adminAttemptResponse>;

export function toAdminAttemptResponse(attempt: AttemptRow): AdminAttemptResponse {
  return {
    ...toAttemptResponse(attempt),
    // The attempt's own user is the buyer: only the order's user may start one.
    userId: attempt.user_id,
    updatedAt: attempt.updated_at.toISOString(),
  };
}

export interface AttemptFilters extends CreatedWindowPage {
  outcome?: AttemptStatus;
  /** Matches Stripe's error code or its decline code. */
  code?: string;
  orderId?: string;
  userId?: string;
}

/** One page of the attempt ledger, newest first (one row more when there is more). */
export function findAttempts(db: Kysely<PaymentsDatabase>, filters: AttemptFilters): Promise<AttemptRow[]> {
  let query = newestFirstPage(db.selectFrom('payment_attempts').selectAll(), 'payment_attempts', filters);
  const { outcome, code, orderId, userId } = filters;
  if (outcome) query = query.where('status', '=', outcome);
  if (orderId) query = query.where('order_id', '=', orderId);
  if (userId) query = query.where('user_id', '=', userId);
  if (code) query = query.where((eb) => eb.or([eb('error_code', '=', code), eb('decline_code', '=', code)]));
  return query.execute();
}
