/**
 * A dependency of ours (the database, the bus, Stripe) could not be reached or did not answer: nothing is
 * wrong with the request or the event, and the same work succeeds once it is back. Listeners retry such a
 * failure without a delivery limit and never dead-letter it; HTTP answers 503 with `Retry-After`.
 *
 * @example
 * try {
 *   await stripe.paymentIntents.retrieve(id);
 * } catch (error) {
 *   if (error instanceof Stripe.errors.StripeConnectionError) {
 *     throw new DependencyUnavailableError('Stripe', { cause: error });
 *   }
 *   throw error;
 * }
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${dependency} is unavailable${reason}`, options);
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * SQLSTATEs that say the database, not the statement, is the problem: connection failures (class 08),
 * too many connections or no resources (53), shutdown or restart (57P01-57P03), a crash in another backend
 * (57P02), and a database that refuses connections (`ALTER DATABASE ... ALLOW_CONNECTIONS false`, 55000).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[123])/;
/** Node's socket errors on the way to a server that is down or restarting. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
/** What `pg` and `pg-pool` say, without a code, when a connection is lost or cannot be had in time. */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
/** A transaction that lost a race (serialization failure, deadlock) and succeeds when run again. */
const RETRYABLE_TRANSACTION_SQLSTATE = new Set(['40001', '40P01']);

function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current);) {
    seen.add(current);
    yield current;
    if (current instanceof AggregateError) yield* current.errors;
    current = (current as { cause?: unknown }).cause;
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when a transaction failed only because it lost a race with another (deadlock, serialization
 * failure): running it again is the fix.
 *
 * @example
 * if (isRetryableTransactionFailure(error)) return runAgain();
 */
export function isRetryableTransactionFailure(error: unknown): boolean {
  for (const cause of causes(error)) {
    const state = sqlState(cause);
    if (state && RETRYABLE_TRANSACTION_SQLSTATE.has(state)) return true;
  }
  return false;
}

/**
 * True when PostgreSQL could not be reached or dropped the connection: down, restarting, refusing
 * connections, out of connections.
 *
 * @example
 * isDatabaseUnavailable(await db.selectFrom('orders').selectAll().execute().catch((e) => e)); // true while it is down
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const cause of causes(error)) {
    const state = sqlState(cause);
    if (state && UNAVAILABLE_SQLSTATE.test(state)) return true;
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (
      state === '55000' &&
      typeof message === 'string' &&
      /not currently accepting connections/.test(message)
    )
      return true;
    if (typeof code === 'string' && SOCKET_ERRORS.has(code)) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  }
  return false;
}

/**
 * True for a failure of our own infrastructure rather than of the work itself: the database or another
 * dependency unavailable, or a transaction that lost a race. Such work is retried, never given up on.
 *
 * @example
 * if (isTransientFailure(error)) msg.nak(backoff); else deadLetter(msg, error);
 */
export function isTransientFailure(error: unknown): boolean {
  for (const cause of causes(error)) if (cause instanceof DependencyUnavailableError) return true;
  return isDatabaseUnavailable(error) || isRetryableTransactionFailure(error);
}
