import { sql, type Kysely } from 'kysely';
import type { PaymentsDatabase } from '../database/schema';
import type { AttemptRow } from './attempt';

/**
 * A worker charging an attempt (the request that made it, a buyer's retry, the sweep) holds it for this
 * long and renews the hold every third of it. A crashed worker stops renewing, and the attempt is resumed
 * this long after the crash, rather than after a fixed delay that would also catch slow live ones.
 */
export const DEFAULT_ATTEMPT_HOLD_SECONDS = 5;

/** When a hold taken now ends: what a new attempt is inserted with, its request already working on it. */
export function holdUntil(seconds: number) {
  return sql<Date>`now() + ${seconds}::float8 * interval '1 second'`;
}

/**
 * Takes a pending attempt whose hold has lapsed (its worker died or gave it back); undefined when another
 * worker holds it or it has settled.
 *
 * @example
 * const attempt = await takeAttempt(db, attemptId, 10);
 * if (attempt) await processAttempt(context, attempt);
 */
export function takeAttempt(
  db: Kysely<PaymentsDatabase>,
  attemptId: string,
  seconds: number,
): Promise<AttemptRow | undefined> {
  return db
    .updateTable('payment_attempts')
    .set({ locked_until: holdUntil(seconds) })
    .where('id', '=', attemptId)
    .where('status', '=', 'pending')
    .where('locked_until', '<=', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Pending attempts nobody holds: cut off by a crash, or given back to be tried again. */
export function unheldAttempts(db: Kysely<PaymentsDatabase>, limit: number) {
  return db
    .selectFrom('payment_attempts')
    .select('id')
    .where('status', '=', 'pending')
    .where('locked_until', '<=', sql<Date>`now()`)
    .orderBy('locked_until')
    .limit(limit)
    .execute();
}

/**
 * Runs `work` on an attempt the caller holds, renewing the hold meanwhile, and gives the attempt back
 * afterwards: one still pending then (Stripe did not answer) is for the sweep to try again at once.
 */
export async function whileHolding<T>(
  db: Kysely<PaymentsDatabase>,
  attemptId: string,
  seconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const row = () =>
    db.updateTable('payment_attempts').where('id', '=', attemptId).where('status', '=', 'pending');
  const renewal = setInterval(
    () => {
      row()
        .set({ locked_until: holdUntil(seconds) })
        .execute()
        // A missed renewal costs at worst a second worker on the attempt, which Stripe's keys make harmless.
        .catch(() => undefined);
    },
    (seconds * 1000) / 3,
  );
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await row()
      .set({ locked_until: sql<Date>`now()` })
      .execute()
      .catch(() => undefined);
  }
}
