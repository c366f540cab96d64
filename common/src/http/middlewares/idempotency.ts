import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import { withCommonTables, type CommonTables } from '../../database/common-tables';
import { ConflictError } from '../errors/conflict-error';
import { RequestValidationError } from '../errors/request-validation-error';
import { UnprocessableEntityError } from '../errors/unprocessable-entity-error';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

export interface IdempotencyOptions {
  /**
   * How long a key stays claimed without its request renewing the claim. A running request renews it every
   * third of this; a request whose process died stops renewing, and a retry may take the key over this
   * long after the crash.
   */
  lockTimeoutMs?: number;
}

/** A request still unanswered after this long stops renewing its claim: it is stuck, not running. */
const LONGEST_CLAIM_MS = 5 * 60_000;
/** Tries to release the key of a failed request while the database it failed on is away. */
const RELEASE_ATTEMPTS = 8;

/** Response headers worth replaying with a stored response. */
const REPLAYED_RESPONSE_HEADERS = ['location'];

function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/**
 * Makes a POST safe to retry, as Stripe does: the first request with a given `Idempotency-Key` runs and its
 * status and body are stored; a retry gets them back unchanged (with `Idempotent-Replayed: true`), the same
 * key on a different request is a 422, and a retry while the first is still running is a 409. Keys are
 * scoped to the caller. 5xx, 404 and 409 answers are not stored (see `isKept`): their retry runs again.
 */
export function idempotency<DB extends CommonTables>(
  database: Kysely<DB>,
  options: IdempotencyOptions = {},
): RequestHandler {
  const db = withCommonTables(database);
  const lockTimeoutMs = options.lockTimeoutMs ?? 5_000;

  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      return next(
        new RequestValidationError([
          { message: 'must be 1 to 255 characters', field: IDEMPOTENCY_KEY_HEADER },
        ]),
      );
    }
    const scope = req.currentUser?.id ?? 'anonymous';
    const requestHash = fingerprint(req.method, req.originalUrl, req.body);
    try {
      const claimed = await db
        .insertInto('idempotency_keys')
        .values({
          scope,
          key,
          request_hash: requestHash,
          status: null,
          response_body: null,
          response_headers: null,
          completed_at: null,
        })
        .onConflict((conflict) => conflict.doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!claimed) {
        const existing = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('scope', '=', scope)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!existing) return next(new ConflictError('A request with this Idempotency-Key is in progress'));
        if (existing.request_hash !== requestHash) {
          return next(new UnprocessableEntityError('This Idempotency-Key was used with a different request'));
        }
        if (existing.status !== null) {
          res
            .set(existing.response_headers ?? {})
            .set(REPLAYED_HEADER, 'true')
            .status(existing.status);
          return existing.response_body === null ? res.end() : res.json(existing.response_body);
        }
        const takenOver = await db
          .updateTable('idempotency_keys')
          .set({ locked_at: sql`now()` })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .where('status', 'is', null)
          .where('locked_at', '<', sql<Date>`now() - ${lockTimeoutMs}::float8 * interval '1 millisecond'`)
          .returning('key')
          .executeTakeFirst();
        if (!takenOver) return next(new ConflictError('A request with this Idempotency-Key is in progress'));
      }
      recordResponse(db, res, scope, key, lockTimeoutMs);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Whether an answer is kept for the key's retries. As Stripe does, an answer is kept once the work has
 * run, failures included; not kept are a 5xx (the work may not have run: the retry runs it), and a 404 or
 * 409, which describe a state another request can change (an order not replicated here yet, a payment in
 * progress): the retry is answered anew rather than told the same thing for as long as the key lives.
 */
function isKept(status: number): boolean {
  return status < 500 && status !== 404 && status !== 409;
}

/**
 * Keeps the key claimed while the request runs, and stores the response before it is sent, so that a retry
 * arriving right after it sees the result. An answer that is not kept releases the key for a retry, and if
 * the database that failed the request fails the release too, the release is tried again in the background
 * (the claim also lapses once it is no longer renewed).
 */
function recordResponse(
  db: Kysely<CommonTables>,
  res: Response,
  scope: string,
  key: string,
  lockTimeoutMs: number,
): void {
  const send = res.json.bind(res);
  const row = db.updateTable('idempotency_keys').where('scope', '=', scope).where('key', '=', key);
  let recorded = false;
  const claimedAt = Date.now();
  const renewal = setInterval(() => {
    if (Date.now() - claimedAt > LONGEST_CLAIM_MS) return clearInterval(renewal);
    row
      .set({ locked_at: sql`now()` })
      .where('status', 'is', null)
      .execute()
      .catch((error: unknown) => res.req.log?.warn({ err: error }, 'could not renew idempotency claim'));
  }, lockTimeoutMs / 3);
  renewal.unref();

  const release = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
        return;
      } catch (error) {
        if (attempt >= RELEASE_ATTEMPTS) throw error;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * 2 ** attempt, lockTimeoutMs)).unref(),
        );
      }
    }
  };

  const record = async (body: unknown) => {
    recorded = true;
    clearInterval(renewal);
    if (!isKept(res.statusCode)) {
      // Not awaited: the answer need not wait for a database that may be the reason for the 5xx.
      release().catch((error: Error) =>
        res.req.log?.warn({ err: error }, 'could not release idempotency key; its claim will lapse'),
      );
      return;
    }
    const headers = Object.fromEntries(
      REPLAYED_RESPONSE_HEADERS.flatMap((name) => {
        const value = res.get(name);
        return value === undefined ? [] : [[name, value]];
      }),
    );
    await row
      .set({
        status: res.statusCode,
        response_body: body === undefined ? null : JSON.stringify(body),
        response_headers: JSON.stringify(headers),
        completed_at: sql`now()`,
      })
      .execute();
  };

  res.json = (body: unknown) => {
    record(body).then(
      () => send(body),
      (error: Error) => {
        res.req.log?.error({ err: error }, 'could not store idempotent response');
        send(body);
      },
    );
    return res;
  };
  res.on('finish', () => {
    clearInterval(renewal);
    if (!recorded)
      record(undefined).catch((error: Error) =>
        res.req.log?.error({ err: error }, 'could not store idempotent response'),
      );
  });
}
