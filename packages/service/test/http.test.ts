import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { SignJWT, UnsecuredJWT } from 'jose';
import { sql, type Kysely } from 'kysely';
import request from 'supertest';
import {
  BadRequestError,
  ConflictError,
  createHttpApp,
  idempotency,
  migrateToLatest,
  requireAdmin,
  requireAuth,
  signToken,
  answerParserRefusals,
  readRouteInput,
  type CommonTables,
} from '@ticketing/service';
import { createDatabase, createMetricsRegistry } from '@ticketing/bus';
import {
  acceptConnections,
  createTestInfrastructure,
  refuseConnections,
  waitFor,
  type TestInfrastructure,
  silentLogger,
} from '@ticketing/testing';

const JWT_KEY = 'test-key-that-is-long-enough';

function sessionCookie(jwt: string): string {
  return `session=${Buffer.from(JSON.stringify({ jwt })).toString('base64')}`;
}

const orderRequest = z.looseObject({
  ticketId: z.uuid({ error: 'ticketId must be a UUID' }),
  quantity: z.number().int().min(1, { error: 'quantity must be a positive integer' }).optional(),
});
describe('HTTP toolkit', () => {
  let infra: TestInfrastructure;
  let db: Kysely<CommonTables>;
  let app: Express;
  let orderCalls = 0;
  let release: (() => void) | undefined;
  let ledgerUp = true;
  let busState = 'up';
  let releaseSlow: (() => void) | undefined;
  let refuseNext = false;
  let slowRequestsHang = true;
  /** A second replica of the app, on its own pool: destroying the pool is how it dies mid-request. */
  let replicaDb: Kysely<CommonTables>;
  let replica: Express;

  /** Routes whose idempotency claims lapse after 300 ms without renewal. */
  const shortClaimRoutes = (express: Express, database: Kysely<CommonTables>) => {
    express.post(
      '/api/slow',
      requireAuth,
      idempotency(database, { lockTimeoutMs: 300 }),
      async (_req, res) => {
        if (slowRequestsHang) await new Promise<void>((resolve) => (releaseSlow = resolve));
        res.status(201).json({ slow: true });
      },
    );
    express.post(
      '/api/outage',
      requireAuth,
      idempotency(database, { lockTimeoutMs: 300 }),
      async (req, res) => {
        if (refuseNext) {
          refuseNext = false;
          await refuseConnections(infra.databaseUrl);
          await sql`select 1`.execute(database);
        }
        res.status(201).json({ done: true });
      },
    );
  };

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    db = createDatabase<CommonTables>({ connectionString: infra.databaseUrl });
    await migrateToLatest(db as unknown as Kysely<unknown>);
    replicaDb = createDatabase<CommonTables>({ connectionString: infra.databaseUrl });
    replica = createHttpApp({
      logger: silentLogger,
      metrics: createMetricsRegistry('replica'),
      readinessChecks: {},
      authentication: { jwtKey: JWT_KEY },
      routes: (express) => shortClaimRoutes(express, replicaDb),
    });
    app = createHttpApp({
      logger: silentLogger,
      metrics: createMetricsRegistry('test'),
      readinessChecks: {
        database: () => sql`select 1`.execute(db),
        ledger: async () => {
          if (!ledgerUp) throw new Error('connection refused');
        },
      },
      statusReports: { bus: () => busState },
      authentication: { jwtKey: JWT_KEY },
      routes: (express) => {
        express.get('/api/me', requireAuth, (req, res) => {
          res.json(req.currentUser);
        });
        express.get('/api/admin', requireAdmin, (_req, res) => {
          res.json({ ok: true });
        });
        express.get('/api/things/:id', (req, res) => {
          res.json({ id: req.params.id });
        });
        express.post(
          '/api/orders',
          requireAuth,
          idempotency(db),
          (req, _res, next) => {
            readRouteInput({ body: orderRequest }, req);
            next();
          },
          async (req, res) => {
            orderCalls += 1;
            if (req.body.slow) await new Promise<void>((resolve) => (release = resolve));
            if (req.body.conflict) throw new ConflictError('Ticket is reserved');
            if (req.body.refuse) throw new BadRequestError('Ticket is not for sale');
            if (req.body.crash) throw new Error('secret internals: password=hunter2');
            res
              .status(201)
              .location(`/api/orders/${orderCalls}`)
              .json({ id: randomUUID(), call: orderCalls });
          },
        );
        shortClaimRoutes(express, db);
      },
    });
  });

  afterAll(async () => {
    await db.destroy();
    await infra.dispose();
  });

  describe('requests nobody could serve', () => {
    it('answers what the HTTP parser refuses in the API’s JSON shape too', async () => {
      const server = createServer(app);
      answerParserRefusals(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      /** What the server answers to bytes no HTTP client library would send. */
      const rawRequest = (bytes: string) =>
        new Promise<string>((resolve, reject) => {
          let answer = '';
          const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
          socket.on('data', (chunk) => (answer += chunk.toString()));
          socket.on('close', () => resolve(answer));
          socket.on('error', reject);
        });
      try {
        const odd = await rawRequest('GET /api/me HTTP/1.1\r\nHost: x\r\nX-Odd: a\u0001b\r\n\r\n');
        expect(odd).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
        expect(odd).toContain('Content-Type: application/json');
        expect(JSON.parse(odd.slice(odd.indexOf('\r\n\r\n') + 4))).toEqual({
          errors: [{ message: 'The request is not valid HTTP' }],
        });
        const huge = await rawRequest(
          `GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        );
        expect(huge).toMatch(/^HTTP\/1.1 431 /);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('answers a path that is not valid percent-encoding with a JSON 400', async () => {
      for (const path of ['/api/things/%zz', '/api/things/%', '/api/things/%C0%AF%ED%A0%80']) {
        const response = await request(app).get(path).expect(400);
        expect(response.body).toEqual({ errors: [{ message: 'The path is not valid percent-encoding' }] });
      }
      expect((await request(app).get('/api/things/caf%C3%A9').expect(200)).body).toEqual({ id: 'café' });
    });

    it('takes a signed token naming an impossible user for no token at all', async () => {
      for (const sub of ['nul\u0000user', 'x'.repeat(256)]) {
        const token = await signToken(JWT_KEY, { sub });
        await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
      }
    });
  });

  describe('authentication', () => {
    it('accepts a valid bearer token and a valid course session cookie', async () => {
      const token = await signToken(JWT_KEY, { sub: 'alice' });
      const bearer = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(bearer.body).toEqual({ id: 'alice', roles: [] });
      const cookie = await request(app).get('/api/me').set('Cookie', sessionCookie(token)).expect(200);
      expect(cookie.body.id).toBe('alice');
    });

    it('reads the course token shape, with the user id in an `id` claim', async () => {
      const token = await new SignJWT({ id: 'course-user', email: 'a@b.c' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(JWT_KEY));
      const response = await request(app).get('/api/me').set('Cookie', sessionCookie(token)).expect(200);
      expect(response.body.id).toBe('course-user');
    });

    it.each([
      ['expired', () => signToken(JWT_KEY, { sub: 'alice', expiresIn: '-1m' })],
      ['signed with another key', () => signToken('another-key-long-enough', { sub: 'alice' })],
      ['alg none', async () => new UnsecuredJWT({ sub: 'alice' }).encode()],
      ['malformed', async () => 'not.a.jwt'],
      [
        'without a subject',
        () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_KEY)),
      ],
    ])('rejects a token that is %s with 401', async (_case, makeToken) => {
      const token = await makeToken();
      const response = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
      expect(response.body).toEqual({ errors: [{ message: 'Not authorized' }] });
      await request(app).get('/api/me').set('Cookie', sessionCookie(token)).expect(401);
    });

    it('answers 401 without a token and 403 to a non-admin on an admin route', async () => {
      await request(app).get('/api/me').expect(401);
      await request(app).get('/api/admin').expect(401);
      const user = await signToken(JWT_KEY, { sub: 'bob' });
      const forbidden = await request(app)
        .get('/api/admin')
        .set('Authorization', `Bearer ${user}`)
        .expect(403);
      expect(forbidden.body.errors[0].message).toBe('Admin role required');
      const admin = await signToken(JWT_KEY, { sub: 'root', admin: true });
      await request(app).get('/api/admin').set('Authorization', `Bearer ${admin}`).expect(200);
    });
  });

  describe('errors', () => {
    let token: string;
    beforeAll(async () => {
      token = await signToken(JWT_KEY, { sub: 'carol' });
    });

    it('answers 400 with one error per invalid field', async () => {
      const response = await request(app)
        .post('/api/orders')
        .set('Authorization', `Bearer ${token}`)
        .send({ ticketId: 'nope', quantity: 0 })
        .expect(400);
      expect(response.body).toEqual({
        errors: [
          { message: 'ticketId must be a UUID', field: 'ticketId' },
          { message: 'quantity must be a positive integer', field: 'quantity' },
        ],
      });
    });

    it('answers 400 to a body that is not JSON, 404 to an unknown route', async () => {
      const malformed = await request(app)
        .post('/api/orders')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send('{"ticketId": ')
        .expect(400);
      expect(malformed.body.errors[0].message).toBe('Request body is not valid JSON');
      await request(app).get('/api/nowhere').expect(404);
    });

    it('answers 500 to an unexpected error without leaking it', async () => {
      const response = await request(app)
        .post('/api/orders')
        .set('Authorization', `Bearer ${token}`)
        .send({ ticketId: randomUUID(), crash: true })
        .expect(500);
      expect(response.body).toEqual({ errors: [{ message: 'Something went wrong' }] });
    });
  });

  describe('Idempotency-Key', () => {
    let token: string;
    beforeAll(async () => {
      token = await signToken(JWT_KEY, { sub: 'dave' });
    });
    const post = (key: string, payload: object, as = token) =>
      request(app)
        .post('/api/orders')
        .set('Authorization', `Bearer ${as}`)
        .set('Idempotency-Key', key)
        .send(payload);

    it('replays the first response for a retry, with the same status, body and Location', async () => {
      const payload = { ticketId: randomUUID() };
      const first = await post('key-1', payload).expect(201);
      const calls = orderCalls;
      const retry = await post('key-1', payload).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(orderCalls).toBe(calls);
    });

    it('replays client errors too, and scopes keys to the caller', async () => {
      const payload = { ticketId: randomUUID(), refuse: true };
      const first = await post('key-2', payload).expect(400);
      const calls = orderCalls;
      const retry = await post('key-2', payload).expect(400);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(orderCalls).toBe(calls);
      expect(first.body.errors[0].message).toBe('Ticket is not for sale');
      const other = await signToken(JWT_KEY, { sub: 'erin' });
      await post('key-2', { ticketId: randomUUID() }, other).expect(201);
      expect(orderCalls).toBe(calls + 1);
    });

    it('answers a 409 anew on a retry, since another request can change it', async () => {
      const payload = { ticketId: randomUUID(), conflict: true };
      await post('key-conflict', payload).expect(409);
      const calls = orderCalls;
      const retry = await post('key-conflict', payload).expect(409);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(orderCalls).toBe(calls + 1);
    });

    it('answers 422 when the key is reused with a different body', async () => {
      await post('key-3', { ticketId: randomUUID() }).expect(201);
      const response = await post('key-3', { ticketId: randomUUID() }).expect(422);
      expect(response.body.errors[0].message).toMatch(/different request/);
    });

    it('answers 409 to a retry while the first request is still running', async () => {
      const payload = { ticketId: randomUUID(), slow: true };
      const first = post('key-4', payload).then((response) => response);
      await new Promise<void>((resolve) => {
        const check = () => (release ? resolve() : setImmediate(check));
        check();
      });
      const concurrent = await post('key-4', payload).expect(409);
      expect(concurrent.body.errors[0].message).toMatch(/in progress/);
      release?.();
      release = undefined;
      expect((await first).status).toBe(201);
      await post('key-4', payload).expect(201);
    });

    it('keeps the key of a request that runs longer than the claim, by renewing it', async () => {
      const slow = () =>
        request(app)
          .post('/api/slow')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', 'slow-1');
      const first = slow().then((response) => response);
      await waitFor(() => releaseSlow !== undefined);
      const started = Date.now();
      // Five times the claim's 300 ms: every retry meanwhile finds the first still running.
      while (Date.now() - started < 1_500) await slow().expect(409);
      releaseSlow?.();
      releaseSlow = undefined;
      await first;
    });

    it('lets a retry take over the key of a request whose process died, once its claim lapses', async () => {
      const dying = request(replica)
        .post('/api/slow')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'dead-1')
        .send({})
        .then((response) => response);
      await waitFor(() => releaseSlow !== undefined);
      const releaseDying = releaseSlow;
      releaseSlow = undefined;
      // The replica's process "dies": its database connections go, and nothing renews or releases the key.
      await replicaDb.destroy();
      const retry = () =>
        request(app)
          .post('/api/slow')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', 'dead-1')
          .send({})
          .then((response) => response);
      slowRequestsHang = false;
      await retry().then((response) => expect(response.status).toBe(409));
      const taken = await waitFor(async () => {
        const response = await retry();
        return response.status !== 409 && response;
      });
      expect(taken.status).toBe(201);
      releaseDying?.();
      await dying.catch(() => undefined);
    });

    it('answers 503 with Retry-After when the database refuses connections, and frees the key once it is back', async () => {
      const outage = () =>
        request(app)
          .post('/api/outage')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', 'outage-1')
          .send({});
      refuseNext = true;
      try {
        const failed = await outage().expect(503);
        expect(failed.headers['retry-after']).toBe('2');
        expect(failed.body).toEqual({
          errors: [{ message: 'The service is briefly unavailable; retry shortly' }],
        });
        const meanwhile = await outage();
        expect(meanwhile.status).toBe(503);
      } finally {
        await acceptConnections(infra.databaseUrl);
      }
      await request(app)
        .post('/api/outage')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'outage-2')
        .send({})
        .expect(201);
      // The first request's key was released (or its claim lapsed): the retry runs, rather than 409.
      const retried = await waitFor(async () => {
        const response = await outage();
        return response.status !== 409 && response;
      });
      expect(retried.status).toBe(201);
    });

    it('does not store a 500, so the request can be retried with its key', async () => {
      const payload = { ticketId: randomUUID(), crash: true };
      await post('key-5', payload).expect(500);
      const calls = orderCalls;
      await post('key-5', payload).expect(500);
      expect(orderCalls).toBe(calls + 1);
    });
  });

  describe('probes and metrics', () => {
    it('serves /livez, /readyz naming a failed dependency, and /metrics', async () => {
      await request(app).get('/livez').expect(200);
      await request(app)
        .get('/readyz')
        .expect(200, { status: 'ready', checks: { database: 'up', ledger: 'up', bus: 'up' } });
      // A status report is shown, never decides: the bus away, the service still serves.
      busState = 'down';
      await request(app)
        .get('/readyz')
        .expect(200, { status: 'ready', checks: { database: 'up', ledger: 'up', bus: 'down' } });
      ledgerUp = false;
      const down = await request(app).get('/readyz').expect(503);
      expect(down.body).toEqual({
        status: 'unavailable',
        checks: { database: 'up', ledger: 'down', bus: 'down' },
        failures: { ledger: 'connection refused' },
      });
      ledgerUp = true;
      busState = 'up';
      const metrics = await request(app).get('/metrics').expect(200);
      expect(metrics.text).toContain('http_request_duration_seconds_bucket');
      expect(metrics.text).toContain('route="/api/orders"');
    });

    it('while starting: /livez 200, /readyz 503 saying what it waits for, every route 503', async () => {
      let waitingFor: string | undefined = 'database: connect ECONNREFUSED';
      const starting = createHttpApp({
        logger: silentLogger,
        metrics: createMetricsRegistry('starting'),
        readinessChecks: { database: () => Promise.reject(new Error('not yet')) },
        statusReports: { bus: () => 'down' },
        startingUp: () => waitingFor,
        authentication: { jwtKey: JWT_KEY },
        routes: (express) => express.get('/api/things', (_req, res) => res.json([])),
      });
      await request(starting).get('/livez').expect(200);
      await request(starting)
        .get('/readyz')
        .expect(503, {
          status: 'starting',
          waitingFor: 'database: connect ECONNREFUSED',
          checks: { database: 'waiting', bus: 'down' },
        });
      const refused = await request(starting).get('/api/things').expect(503);
      expect(refused.headers['retry-after']).toBeDefined();
      await request(starting).get('/metrics').expect(200);
      waitingFor = undefined;
      await request(starting).get('/api/things').expect(200, []);
    });

    it('returns the request id it was given, or a new one', async () => {
      const given = await request(app).get('/livez').set('X-Request-Id', 'req-123').expect(200);
      expect(given.headers['x-request-id']).toBe('req-123');
      const fresh = await request(app).get('/livez').expect(200);
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
