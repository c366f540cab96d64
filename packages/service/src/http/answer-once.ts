import type { Response } from 'express';
import type { Kysely } from 'kysely';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import { retryTransaction } from '../database/retry-transaction';
import { ConflictError } from './errors/conflict-error';
import { isKept, jsonAnswer, sendAnswer } from './kept-answer';
import { claimOf, KEY_IN_USE } from './middlewares/idempotency';

/** What a route answers, sent as JSON, and stored as such for the retries of its Idempotency-Key. */
export interface RouteAnswer {
  status: number;
  body: unknown;
  /** The Location header: where the created resource is. */
  location?: string;
}

/**
 * Runs a route's effect and sends the answer it builds. Under an Idempotency-Key, the effect runs in a
 * transaction that also stores that answer for the key's retries: the effect and its answer commit
 * together or not at all, so no crash between them can leave the effect done and the key free for a retry
 * to do it again. A slow request whose key a retry has taken over meanwhile rolls its effect back (409).
 * Without a key the effect runs as it would on its own, in `db`. Build the answer inside `effect`: it is
 * stored before the commit.
 *
 * @example
 * await answerOnce(db, res, (db) =>
 *   retryTransaction(db, async (trx) => {
 *     const ticket = await createTicket(trx, seller.id, details);
 *     return { status: 201, location: `/api/tickets/${ticket.id}`, body: toTicketResponse(ticket) };
 *   }),
 * );
 */
export async function answerOnce<DB extends CommonTables>(
  db: Kysely<DB>,
  res: Response,
  effect: (db: Kysely<DB>) => Promise<RouteAnswer>,
): Promise<void> {
  const claim = claimOf(res);
  if (!claim) return sendAnswer(res, jsonAnswer(await effect(db)));
  const answer = await retryTransaction(db, async (trx) => {
    const answer = jsonAnswer(await effect(trx));
    if (isKept(answer) && !(await claim.store(withCommonTables(trx), answer))) {
      throw new ConflictError(KEY_IN_USE);
    }
    return answer;
  });
  claim.stored = isKept(answer);
  sendAnswer(res, answer);
}
