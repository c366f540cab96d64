import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import { withCommonTables, type CommonTables } from '../../database/common-tables';
import { ConflictError } from '../errors/conflict-error';
import { RequestValidationError } from '../errors/request-validation-error';
import { UnprocessableEntityError } from '../errors/unprocessable-entity-error';
import { answerOf, isKept, sendAnswer, type KeptAnswer } from '../kept-answer';

/**
 * The request header that makes a POST safe to retry, as Stripe spells it.
 *
 * @example
 * await request(url).post('/api/payments').set(IDEMPOTENCY_KEY_HEADER, randomUUID()).send(body);
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/**
 * The response header, `true`, that marks an answer as a replay of the first one rather than a new effect.
 *
 * @example
 * const replayed = response.headers.get(REPLAYED_HEADER) === 'true';
 */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const KEY_IN_USE = 'A request with this Idempotency-Key is in progress';

/** How the `idempotency` middleware tells a crashed request from a slow one. */
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

function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/**
 * A request's hold on its key, from the claim until its answer is stored or the key is given up. Only the
 * holder renews, stores or releases: once a retry has taken a lapsed claim over, the first request (if it
 * was only slow) can neither store its answer under the key nor free it.
 */
export class KeyClaim {
  /** The answer is stored and committed already, in the transaction of the route's effect (`answerOnce`). */
  stored = false;
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<CommonTables>,
    private readonly scope: string,
    private readonly key: string,
    private readonly token: string,
    private readonly lockTimeoutMs: number,
    private readonly res: Response,
  ) {
    const claimedAt = Date.now();
    this.renewal = setInterval(() => {
      if (Date.now() - claimedAt > LONGEST_CLAIM_MS) return this.stopRenewing();
      this.unanswered(this.db)
        .set({ locked_at: sql`now()` })
        .execute()
        .catch((error: unknown) => res.req.log?.warn({ err: error }, 'could not renew idempotency claim'));
    }, lockTimeoutMs / 3);
    this.renewal.unref();
  }

  /**
   * Stores the answer for the key's retries, through `db` or in the transaction of the route's effect.
   * False when the key is no longer this request's: taken over, or given up.
   */
  async store(db: Kysely<CommonTables>, { status, headers, body }: KeptAnswer): Promise<boolean> {
    const stored = await this.unanswered(db)
      .set({
        status,
        response_body: body,
        response_headers: JSON.stringify(headers),
        completed_at: sql`now()`,
      })
      .returning('key')
      .executeTakeFirst();
    return stored !== undefined;
  }

  /** Gives the key up, so that a retry runs the request; retried while the database is away. */
  private async release(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db
          .deleteFrom('idempotency_keys')
          .where('scope', '=', this.scope)
          .where('key', '=', this.key)
          .where('claim', '=', this.token)
          .where('status', 'is', null)
          .execute();
        return;
      } catch (error) {
        if (attempt >= RELEASE_ATTEMPTS) throw error;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * 2 ** attempt, this.lockTimeoutMs)).unref(),
        );
      }
    }
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
  }

  /** Stores the answer going out, or gives the key up if the answer is not kept (see `isKept`). */
  async settle(answer: KeptAnswer): Promise<void> {
    this.stopRenewing();
    if (this.stored) return;
    if (isKept(answer)) {
      await this.store(this.db, answer);
      return;
    }
    const released = this.release().catch((error: Error) =>
      this.res.req.log?.warn({ err: error }, 'could not release idempotency key; its claim will lapse'),
    );
    // Released before the answer goes, so that the retry it invites finds the key free; but a 5xx may
    // come from the database itself, and the answer does not wait for it to come back.
    if (answer.status < 500) await released;
  }

  private unanswered(db: Kysely<CommonTables>) {
    return db
      .updateTable('idempotency_keys')
      .where('scope', '=', this.scope)
      .where('key', '=', this.key)
      .where('claim', '=', this.token)
      .where('status', 'is', null);
  }
}

const claims = new WeakMap<Response, KeyClaim>();

/** The claim on the Idempotency-Key of the request `res` answers, if it came with one. */
export function claimOf(res: Response): KeyClaim | undefined {
  return claims.get(res);
}

/** The body's bytes as `res.end` was given them: a string in its encoding, or bytes. */
function bytesOf([chunk, encoding]: unknown[]): Buffer | null {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return null;
}

/**
 * Settles the claim with the answer when it is sent, and only then sends it, so that a retry arriving
 * right after it finds it. Every answer ends in `res.end` (express's `json` and `send` included), which
 * sees the exact bytes and the final status and headers.
 */
function settleOnEnd(res: Response, claim: KeyClaim): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    claim
      .settle(answerOf(res, bytesOf(args)))
      .catch((error: unknown) => res.req.log?.error({ err: error }, 'could not store idempotent response'))
      .finally(() => end(...args));
    return res;
  }) as Response['end'];
}

/**
 * Makes a POST safe to retry, as Stripe does: the first request with a given `Idempotency-Key` runs and its
 * answer is stored; a retry gets it back byte for byte, with its status and content type (and
 * `Idempotent-Replayed: true`), the same key on a different request is a 422, and a retry while the first
 * is still running is a 409. Keys are scoped to the caller. Answers that say "try again" and input that
 * failed validation are not stored (see `isKept`): their retry runs for real. A route whose effect is one
 * transaction stores its answer in it with `answerOnce`; see decision 0013. `declareRoute` mounts it for a
 * contract with `idempotency`.
 *
 * @example
 * router.post('/api/payments', requireAuth, idempotency(context.db), createPayment);
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
    const token = randomUUID();
    try {
      const claimed = await db
        .insertInto('idempotency_keys')
        .values({
          scope,
          key,
          request_hash: requestHash,
          claim: token,
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
        if (!existing) return next(new ConflictError(KEY_IN_USE));
        if (existing.request_hash !== requestHash) {
          return next(new UnprocessableEntityError('This Idempotency-Key was used with a different request'));
        }
        if (existing.status !== null) {
          res.setHeader(REPLAYED_HEADER, 'true');
          return sendAnswer(res, {
            status: existing.status,
            headers: existing.response_headers ?? {},
            body: existing.response_body,
          });
        }
        const takenOver = await db
          .updateTable('idempotency_keys')
          .set({ claim: token, locked_at: sql`now()` })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .where('status', 'is', null)
          .where('locked_at', '<', sql<Date>`now() - ${lockTimeoutMs}::float8 * interval '1 millisecond'`)
          .returning('key')
          .executeTakeFirst();
        if (!takenOver) return next(new ConflictError(KEY_IN_USE));
      }
      const claim = new KeyClaim(db, scope, key, token, lockTimeoutMs, res);
      claims.set(res, claim);
      settleOnEnd(res, claim);
      next();
    } catch (error) {
      next(error);
    }
  };
}
