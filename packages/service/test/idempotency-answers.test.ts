import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Express, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import request from 'supertest';
import {
  answerOnce,
  createHttpApp,
  idempotency,
  migrateToLatest,
  NotFoundError,
  requireAuth,
  retryTransaction,
  signToken,
  readRouteInput,
  type CommonTables,
} from '@ticketing/service';
import { createDatabase, createMetricsRegistry } from '@ticketing/bus';
import { createTestInfrastructure, waitFor, type TestInfrastructure, silentLogger } from '@ticketing/testing';

const JWT_KEY = 'test-key-that-is-long-enough';

/** What is stored under an Idempotency-Key, and when; the middleware's mechanics are in http.test.ts. */
describe('Idempotency-Key answers', () => {
  let infra: TestInfrastructure;
  let db: Kysely<CommonTables>;
  let app: Express;
  let token: string;
  let calls = 0;
  /** Orders "replicated" so far: until then the arrival route answers 404. */
  const arrived = new Set<string>();
  /** Holds the next widget's transaction open after its insert, until the test lets it go on. */
  let holdNextWidget = false;
  let releaseWidget: (() => void) | undefined;

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    db = createDatabase<CommonTables>({ connectionString: infra.databaseUrl });
    await migrateToLatest(db as unknown as Kysely<unknown>);
    await sql`create table widgets (id serial primary key, name text not null)`.execute(db);
    token = `Bearer ${await signToken(JWT_KEY, { sub: 'ivy' })}`;
    app = createHttpApp({
      logger: silentLogger,
      metrics: createMetricsRegistry('answers'),
      readinessChecks: {},
      authentication: { jwtKey: JWT_KEY },
      routes: (express) => {
        const keyed = [requireAuth, idempotency(db, { lockTimeoutMs: 300 })];
        express.post('/api/status', ...keyed, (req, res) => {
          calls += 1;
          res.status(req.body.status).json({ errors: [{ message: `answered ${req.body.status}` }] });
        });
        express.post('/api/arrival', ...keyed, (req, res) => {
          calls += 1;
          if (!arrived.has(req.body.orderId)) throw new NotFoundError('Order not found');
          res.status(201).json({ orderId: req.body.orderId, call: calls });
        });
        express.post(
          '/api/validated',
          ...keyed,
          (req, _res, next) => {
            readRouteInput(
              {
                body: z.looseObject({
                  name: z.string().min(3, { error: 'name must be at least 3 characters' }),
                }),
              },
              req,
            );
            next();
          },
          (req, res) => {
            calls += 1;
            res.status(201).json({ name: req.body.name, call: calls });
          },
        );
        express.post('/api/exact', ...keyed, (req, res) => {
          calls += 1;
          if (req.body.csv) {
            res.status(201).type('text/csv').send(`call,${calls}\n`);
            return;
          }
          // Key order, escapes and non-ASCII text are what a re-serialization (jsonb) would change.
          res
            .status(201)
            .json({ zebra: calls, apple: { é: 'naïve "quoted"', b: [3, 1] }, a: null, x: 'y'.repeat(2000) });
        });
        express.post('/api/widgets', ...keyed, async (req, res) => {
          if (req.body.dieBeforeAnswering) {
            // The process dies right after the commit: no answer goes out, and nothing more is written.
            res.end = (() => {
              res.socket?.destroy();
              return res;
            }) as Response['end'];
          }
          await answerOnce(db, res, (db) =>
            retryTransaction(db, async (trx) => {
              const {
                rows: [widget],
              } = await sql<{
                id: number;
              }>`insert into widgets (name) values (${req.body.name}) returning id`.execute(trx);
              if (holdNextWidget) {
                holdNextWidget = false;
                await new Promise<void>((resolve) => (releaseWidget = resolve));
              }
              return {
                status: 201,
                location: `/api/widgets/${widget!.id}`,
                body: { id: widget!.id, name: req.body.name },
              };
            }),
          );
        });
      },
    });
  });

  afterAll(async () => {
    await db.destroy();
    await infra.dispose();
  });

  const post = (path: string, key: string, payload: object) =>
    request(app).post(path).set('Authorization', token).set('Idempotency-Key', key).send(payload);

  async function widgets(name: string): Promise<number> {
    const { rows } = await sql<{ count: string }>`select count(*) from widgets where name = ${name}`.execute(
      db,
    );
    return Number(rows[0]!.count);
  }

  it('does not keep a 404: the retry with the key, once the order is here, gets the real answer', async () => {
    const orderId = randomUUID();
    await post('/api/arrival', 'arrival-1', { orderId }).expect(404);
    arrived.add(orderId);
    const retry = await post('/api/arrival', 'arrival-1', { orderId }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.body.orderId).toBe(orderId);
    const replay = await post('/api/arrival', 'arrival-1', { orderId }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(retry.text);
  });

  it.each([404, 409, 429, 500, 502, 503])('does not keep a %i: the retry runs again', async (status) => {
    const key = `status-${status}`;
    await post('/api/status', key, { status }).expect(status);
    const before = calls;
    const retry = await post('/api/status', key, { status }).expect(status);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(calls).toBe(before + 1);
  });

  it.each([400, 402, 403, 422])(
    'keeps a %i that the route answered: the retry is a replay',
    async (status) => {
      const key = `kept-${status}`;
      await post('/api/status', key, { status }).expect(status);
      const before = calls;
      const retry = await post('/api/status', key, { status }).expect(status);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(calls).toBe(before);
    },
  );

  it('does not keep input that failed validation: the corrected request takes the key', async () => {
    const refused = await post('/api/validated', 'validated-1', { name: 'x' }).expect(400);
    expect(refused.body.errors).toEqual([{ message: 'name must be at least 3 characters', field: 'name' }]);
    const corrected = await post('/api/validated', 'validated-1', { name: 'xavier' }).expect(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    const replay = await post('/api/validated', 'validated-1', { name: 'xavier' }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('replays the stored answer byte for byte, with its status and content type', async () => {
    const first = await post('/api/exact', 'exact-json', {}).expect(201);
    const retry = await post('/api/exact', 'exact-json', {}).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(retry.text.startsWith('{"zebra":')).toBe(true);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(retry.headers['content-type']).toBe('application/json; charset=utf-8');

    const csv = await post('/api/exact', 'exact-csv', { csv: true }).expect(201);
    const csvRetry = await post('/api/exact', 'exact-csv', { csv: true }).expect(201);
    expect(csvRetry.text).toBe(csv.text);
    expect(csvRetry.headers['content-type']).toBe('text/csv; charset=utf-8');
  });

  describe('answerOnce: the answer is stored in the transaction of the effect', () => {
    it('sends and replays the answer it stored, Location included', async () => {
      const first = await post('/api/widgets', 'widget-1', { name: 'w1' }).expect(201);
      const retry = await post('/api/widgets', 'widget-1', { name: 'w1' }).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.text).toBe(first.text);
      expect(retry.headers.location).toBe(`/api/widgets/${first.body.id}`);
      expect(await widgets('w1')).toBe(1);
    });

    it('answers a retry after the process died between the commit and the answer from the store: the effect ran once', async () => {
      await expect(
        post('/api/widgets', 'widget-2', { name: 'w2', dieBeforeAnswering: true }),
      ).rejects.toThrow(/socket hang up|ECONNRESET/);
      const retry = await post('/api/widgets', 'widget-2', { name: 'w2', dieBeforeAnswering: true }).expect(
        201,
      );
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.name).toBe('w2');
      expect(await widgets('w2')).toBe(1);
    });

    it('rolls the effect back when the key was taken over meanwhile: one effect per key', async () => {
      holdNextWidget = true;
      const slow = post('/api/widgets', 'widget-3', { name: 'w3' }).then((response) => response);
      await waitFor(() => releaseWidget !== undefined);
      // What a retry does to a claim that lapsed while its request stalled: the key is someone else's now.
      await sql`update idempotency_keys set claim = gen_random_uuid() where key = 'widget-3'`.execute(db);
      releaseWidget?.();
      releaseWidget = undefined;
      const stalled = await slow;
      expect(stalled.status).toBe(409);
      expect(await widgets('w3')).toBe(0);

      // The new holder's claim is not renewed here; once it lapses a retry runs the effect, once.
      const retried = await waitFor(async () => {
        const response = await post('/api/widgets', 'widget-3', { name: 'w3' });
        return response.status !== 409 && response;
      });
      expect(retried.status).toBe(201);
      expect(await widgets('w3')).toBe(1);
    });

    it('answers as usual when no key is given', async () => {
      const response = await request(app)
        .post('/api/widgets')
        .set('Authorization', token)
        .send({ name: 'w4' });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`/api/widgets/${response.body.id}`);
      expect(await widgets('w4')).toBe(1);
    });
  });
});
