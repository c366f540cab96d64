import type { Kysely, Transaction } from 'kysely';
import { isRetryableTransactionFailure } from '@ticketing/bus';

/** Runs of a transaction that lost a race, before its failure is passed on. */
const ATTEMPTS = 5;

/**
 * Runs `work` in a transaction, and runs it again when it loses a race with another transaction (a
 * deadlock or a serialization failure): PostgreSQL rolled it back whole, so a second run is safe. Inside
 * an enclosing transaction it joins that one; retrying is then the enclosing transaction's owner's job.
 *
 * @example
 * const order = await retryTransaction(db, (trx) => cancelOrder(trx, orderId, 'user'));
 */
export async function retryTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<DB>);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableTransactionFailure(error)) throw error;
      // Both sides of a deadlock retrying in step would meet again: spread them out a little.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
