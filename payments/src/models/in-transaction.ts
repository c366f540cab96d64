import type { Kysely, Transaction } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';

/** Runs `work` in the caller's transaction when there is one (a listener's), else in a new one. */
export function inTransaction<T>(
  db: Kysely<PaymentsDatabase>,
  work: (trx: Transaction<PaymentsDatabase>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db as Transaction<PaymentsDatabase>) : db.transaction().execute(work);
}
