import { sql, type Kysely } from 'kysely';
import {
  createDatabase,
  DependencyUnavailableError,
  isDatabaseUnavailable,
  isRetryableTransactionFailure,
  isTransientFailure,
} from '@ticketing/bus';
import { retryTransaction } from '@ticketing/service';
import {
  acceptConnections,
  createTestInfrastructure,
  freePort,
  refuseConnections,
  type TestInfrastructure,
} from '@ticketing/testing';

/** What a statement failed with, from the real server. */
function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the statement to fail');
    },
    (error: unknown) => error,
  );
}

describe('telling an outage of our infrastructure from a failure of the work', () => {
  let infra: TestInfrastructure;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    db = createDatabase({ connectionString: infra.databaseUrl });
    await sql`create table seats (id int primary key, holder text)`.execute(db);
    await sql`insert into seats values (1, null), (2, null)`.execute(db);
  });

  afterAll(async () => {
    await db.destroy();
    await infra.dispose();
  });

  it('recognises a server that is not there', async () => {
    const nowhere = createDatabase({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
    });
    const error = await failureOf(sql`select 1`.execute(nowhere));
    await nowhere.destroy();
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isTransientFailure(error)).toBe(true);
  });

  it('recognises a database that refuses connections, and the connections it ended', async () => {
    const other = createDatabase({ connectionString: infra.databaseUrl });
    await sql`select 1`.execute(other);
    const held = other.connection().execute(async (connection) => {
      await refuseConnections(infra.databaseUrl);
      return failureOf(sql`select 1`.execute(connection));
    });
    try {
      expect(isDatabaseUnavailable(await held)).toBe(true);
      const refused = await failureOf(sql`select 1`.execute(other));
      expect(String((refused as Error).message)).toMatch(/not currently accepting connections/);
      expect(isDatabaseUnavailable(refused)).toBe(true);
    } finally {
      await acceptConnections(infra.databaseUrl);
      await other.destroy();
    }
  });

  it('recognises a deadlock as a transaction to run again, and runs it again', async () => {
    const take = (first: number, second: number, ready: Promise<void>, arrived: () => void) =>
      db.transaction().execute(async (trx) => {
        await sql`update seats set holder = 'x' where id = ${first}`.execute(trx);
        arrived();
        await ready;
        await sql`update seats set holder = 'x' where id = ${second}`.execute(trx);
      });
    let arrivals = 0;
    let bothArrived!: () => void;
    const ready = new Promise<void>((resolve) => (bothArrived = resolve));
    const arrived = () => ++arrivals === 2 && bothArrived();
    const outcomes = await Promise.allSettled([take(1, 2, ready, arrived), take(2, 1, ready, arrived)]);
    const deadlocked = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(deadlocked).toBeDefined();
    const error = (deadlocked as PromiseRejectedResult).reason;
    expect(isRetryableTransactionFailure(error)).toBe(true);
    expect(isTransientFailure(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);

    let runs = 0;
    const result = await retryTransaction(db, async () => {
      runs += 1;
      if (runs === 1) throw error;
      return 'done';
    });
    expect([result, runs]).toEqual(['done', 2]);
  });

  it('does not mistake a failure of the work for an outage', async () => {
    const duplicate = await failureOf(sql`insert into seats values (1, null)`.execute(db));
    const typo = await failureOf(sql`selec 1`.execute(db));
    for (const error of [duplicate, typo, new Error('Connection refused by the ticket office')]) {
      expect(isTransientFailure(error)).toBe(false);
    }
    let runs = 0;
    await expect(
      retryTransaction(db, async () => {
        runs += 1;
        throw duplicate;
      }),
    ).rejects.toBe(duplicate);
    expect(runs).toBe(1);
  });

  it('recognises a dependency a service declared unavailable, however deeply it is wrapped', () => {
    const stripeDown = new DependencyUnavailableError('Stripe', { cause: new Error('socket hang up') });
    expect(stripeDown.message).toBe('Stripe is unavailable: socket hang up');
    expect(isTransientFailure(new Error('payment failed', { cause: stripeDown }))).toBe(true);
  });
});
