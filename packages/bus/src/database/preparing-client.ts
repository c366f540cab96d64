import pg from 'pg';

/**
 * How many distinct statement texts one connection prepares. The services send a few dozen distinct
 * parameterised texts (the reservation, the ticket read, the outbox and inbox statements...), so 200 covers
 * every hot one with room to spare; but texts are not a closed set (`in (...)` lists of varying length, keyset
 * pages, admin filters), and each prepared statement holds its parse tree and plans in the backend's memory
 * for the life of the connection. Naming only the first N texts a connection sees, and sending the rest
 * unnamed as before, keeps that memory bounded without a per-call eviction (DEALLOCATE is one more round
 * trip) and without counting how often each text comes (a map that would itself need bounding). The hot
 * statements come first on every connection, so they are the ones that get named.
 */
export const MAX_PREPARED_PER_CONNECTION = 200;

type QueryCallback = (error: Error | null, result?: pg.QueryResult) => void;

/** Raised when DDL changed the columns of a statement prepared earlier (`select *` of an altered table). */
function isStalePreparedStatement(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === '0A000' &&
    error.message.includes('cached plan must not change result type')
  );
}

/**
 * A `pg.Client` that sends parameterised queries as named prepared statements, so that PostgreSQL parses
 * each statement once per connection and can reuse its plans (custom plans for the first five executions,
 * then a generic plan where it costs no more: `plan_cache_mode = auto`), instead of parsing and planning it
 * on every call as it does for the unnamed statements Kysely sends.
 *
 * Only `query(text, values)` with at least one value is named: those already go through the extended
 * protocol, which allows one statement per message. A query without values goes through the simple protocol
 * and may hold several statements (the outbox relay's `begin; set local ...; select ...`), which a prepared
 * statement cannot, so it is left alone; so are query objects and config objects (a cursor, a caller's own
 * `name`).
 *
 * Names are `k1`, `k2`... from a per-connection counter, never a hash of the text: pg refuses (and a hash
 * collision would make it refuse) a name reused for another text on the same connection
 * (`connection.parsedStatements`), and a counter cannot collide. The counter also bounds the count.
 */
export class PreparingClient extends pg.Client {
  /** Text -> name of the statements this connection has prepared (or is preparing). */
  private readonly prepared = new Map<string, string>();
  private namesIssued = 0;

  // pg's `query` has many overloads; only the (text, values[, callback]) forms are rewritten.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) {
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const name = this.nameFor(text);
    if (name === undefined) return (super.query as (...a: unknown[]) => never)(...args);
    const run = (done: QueryCallback) =>
      super.query({ name, text, values }, (error: Error | null, result?: pg.QueryResult) => {
        if (!error || !isStalePreparedStatement(error)) return done(error, result);
        // DDL changed the statement's result columns after it was prepared (migrations run before serving,
        // but tests create and alter tables on live pools). PostgreSQL re-plans an invalidated statement by
        // itself, except when its columns change: then forget the name, so the next call prepares the text
        // afresh under a new one, and retry this call unnamed, unless it ran inside a transaction, which the
        // error has aborted (the caller's retry, if any, gets the new statement).
        this.prepared.delete(text);
        // pg calls back on the ErrorResponse, before this statement's ReadyForQuery, so `_txStatus` (pg's
        // copy of the last ReadyForQuery status: 'I' idle, 'T' in a transaction) is still the status the
        // statement ran in, whatever else has been queued on the client since.
        const ranInTransaction = (this as unknown as { _txStatus?: string | null })._txStatus !== 'I';
        if (ranInTransaction) return done(error);
        (super.query as (...a: unknown[]) => void)(text, values, done);
      });
    if (typeof callback === 'function') {
      run(callback as QueryCallback);
      return undefined as never;
    }
    return new Promise<pg.QueryResult>((resolve, reject) =>
      run((error, result) => (error ? reject(error) : resolve(result!))),
    ) as never;
  }

  private nameFor(text: string): string | undefined {
    const known = this.prepared.get(text);
    if (known !== undefined) return known;
    // Forgotten (stale) statements count too: their server-side copies stay until the connection closes.
    if (this.namesIssued >= MAX_PREPARED_PER_CONNECTION) return undefined;
    const name = `k${++this.namesIssued}`;
    this.prepared.set(text, name);
    return name;
  }
}
