import { retryTransaction } from '@ticketing/common';
import type { Kysely, Transaction } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';

/**
 * Runs `work` in the caller's transaction when there is one (a listener's), else in a new one that is run
 * again if it loses a deadlock.
 */
export function inTransaction<T>(
  db: Kysely<PaymentsDatabase>,
  work: (trx: Transaction<PaymentsDatabase>) => Promise<T>,
): Promise<T> {
  return retryTransaction(db, work);
}
