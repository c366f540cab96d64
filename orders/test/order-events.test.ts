import { randomUUID } from 'node:crypto';
import { createLogger } from '@ticketing/bus';
import { signToken, startService, type RunningService } from '@ticketing/service';
import {
  changeWhileHubsAreAway,
  EventStreamReader,
  sessionCookie,
  TEST_JWT_KEY,
  waitFor,
} from '@ticketing/testing';
import type { OrdersConfig } from '../src/config';
import type { OrdersDatabase } from '../src/database/schema';
import request from 'supertest';
import { ordersService } from '../src/service';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

const HEARTBEAT_MS = '250';

describe('GET /api/orders/:id/events', () => {
  let orders: OrdersUnderTest;
  /** A second replica on the same database and bus, as behind a load balancer without sticky sessions. */
  let replica: RunningService<OrdersDatabase, OrdersConfig>;
  const streams: EventStreamReader[] = [];

  beforeAll(async () => {
    orders = await startOrders({ LIVE_HEARTBEAT_MS: HEARTBEAT_MS });
    replica = await startService(
      ordersService,
      {
        DATABASE_URL: orders.infra.databaseUrl,
        NATS_URL: orders.infra.natsUrl,
        NATS_NAMESPACE: orders.infra.namespace,
        JWT_KEY: TEST_JWT_KEY,
        PORT: '0',
        LIVE_HEARTBEAT_MS: HEARTBEAT_MS,
      },
      createLogger('orders-replica', 'silent'),
    );
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await replica.stop();
    await orders.stop();
  });

  async function open(url: string, orderId: string, headers: Record<string, string>, query = '') {
    const stream = await EventStreamReader.open(`${url}/api/orders/${orderId}/events${query}`, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  }

  async function newOrder(buyer: string) {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, buyer, ticket.id);
    const bearer = await orders.bearer(buyer);
    const shown = await api(orders).get(`/api/orders/${order.id}`).set('Authorization', bearer).expect(200);
    return { id: order.id, bearer, body: shown.body as { status: string } };
  }

  const cancel = (orderId: string, bearer: string) =>
    api(orders).delete(`/api/orders/${orderId}`).set('Authorization', bearer).expect(200);

  it('refuses like GET /api/orders/:id does, as JSON before any stream: 401, 400, 404, 403', async () => {
    const { id } = await newOrder('owner');
    await api(orders).get(`/api/orders/${id}/events`).expect(401);
    const bearer = await orders.bearer('someone');
    const invalid = await api(orders).get('/api/orders/abc/events').set('Authorization', bearer).expect(400);
    expect(invalid.body.errors).toEqual([{ message: 'id must be a UUID', field: 'id' }]);
    await api(orders).get(`/api/orders/${randomUUID()}/events`).set('Authorization', bearer).expect(404);
    const forbidden = await api(orders)
      .get(`/api/orders/${id}/events`)
      .set('Authorization', bearer)
      .expect(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/json/);
  });

  it('sends the order as GET /api/orders/:id shows it, with headers that keep proxies from buffering', async () => {
    const order = await newOrder('alice');
    const stream = await open(orders.url, order.id, { Authorization: order.bearer });
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(await stream.next()).toEqual({ retry: 2000, comments: [] });
    const { event } = await stream.nextEvent('state');
    expect(JSON.parse(event.data)).toEqual(order.body);
    expect(event.id).toMatch(/^[\w-]{16}$/);
  });

  it('authenticates a browser by its session cookie, since EventSource cannot send a header', async () => {
    const order = await newOrder('browser-user');
    const cookie = sessionCookie(await signToken(TEST_JWT_KEY, { sub: 'browser-user' }));
    const stream = await open(orders.url, order.id, { Cookie: cookie });
    const { event } = await stream.nextEvent('state');
    expect(JSON.parse(event.data)).toEqual(order.body);
  });

  it('sends the new state when the order changes', async () => {
    const order = await newOrder('bob');
    const stream = await open(orders.url, order.id, { Authorization: order.bearer });
    const initial = await stream.nextEvent('state');
    const cancelled = await cancel(order.id, order.bearer);
    const { event } = await stream.nextEvent('state');
    expect(JSON.parse(event.data)).toEqual(cancelled.body);
    expect(event.data).toContain('"status":"cancelled"');
    expect(event.id).not.toBe(initial.event.id);
  });

  it('sends nothing to a client that has the current state (Last-Event-ID or ?lastEventId=) until it changes', async () => {
    const order = await newOrder('carol');
    const first = await open(orders.url, order.id, { Authorization: order.bearer });
    const { event: current } = await first.nextEvent('state');
    const resumed = await open(orders.url, order.id, {
      Authorization: order.bearer,
      'Last-Event-ID': current.id as string,
    });
    const reopened = await open(
      orders.url,
      order.id,
      { Authorization: order.bearer },
      `?lastEventId=${current.id}`,
    );
    // `retry` is written once the stream is subscribed: whatever changes after it is sent.
    for (const stream of [resumed, reopened]) expect((await stream.next()).retry).toBe(2000);
    await cancel(order.id, order.bearer);
    for (const stream of [resumed, reopened]) {
      const { event, before } = await stream.nextEvent('state');
      expect(before.filter((frame) => frame.event !== undefined)).toEqual([]);
      expect(JSON.parse(event.data).status).toBe('cancelled');
    }
  });

  it('reaches a stream opened on another replica with a change made through this one', async () => {
    const order = await newOrder('dave');
    const stream = await open(replica.url, order.id, { Authorization: order.bearer });
    await stream.nextEvent('state');
    await cancel(order.id, order.bearer);
    const { event } = await stream.nextEvent('state');
    expect(JSON.parse(event.data).status).toBe('cancelled');
  });

  it('sends heartbeat comments while nothing changes', async () => {
    const order = await newOrder('erin');
    const stream = await open(orders.url, order.id, { Authorization: order.bearer });
    await stream.nextEvent('state');
    expect(await stream.next()).toEqual({ comments: ['heartbeat'] });
    expect(await stream.next()).toEqual({ comments: ['heartbeat'] });
  });

  it('after its LISTEN connection is killed, sends what changed while it was away', async () => {
    const order = await newOrder('frank');
    const stream = await open(orders.url, order.id, { Authorization: order.bearer });
    await stream.nextEvent('state');
    await changeWhileHubsAreAway(orders.infra.databaseUrl, (db) =>
      db.query(
        `update orders set status = 'cancelled', cancellation_reason = 'user', version = version + 1 where id = $1`,
        [order.id],
      ),
    );
    const { event } = await stream.nextEvent('state');
    expect(JSON.parse(event.data)).toMatchObject({ status: 'cancelled', cancellationReason: 'user' });
  });

  it('ends the stream when the order can no longer be read, and counts streams apart from request durations', async () => {
    const order = await newOrder('henry');
    const metrics = async () => (await request(orders.url).get('/metrics').expect(200)).text;
    const openStreams = async () =>
      Number(
        (await metrics()).match(/^notification_hub_subscribers\{channel="order_changed"[^}]*\} (\d+)$/m)?.[1],
      );
    const before = await openStreams();
    const stream = await open(orders.url, order.id, { Authorization: order.bearer });
    await stream.nextEvent('state');
    await waitFor(async () => (await openStreams()) === before + 1);

    // No longer the buyer's: the next read is refused, and the client's reconnection would get the 403.
    await orders.db
      .updateTable('orders')
      .set({ user_id: 'someone-else' })
      .where('id', '=', order.id)
      .execute();
    await stream.end();
    await waitFor(async () => (await openStreams()) === before);
    // A stream's duration is how long it was watched: it would only drown the latencies.
    expect(await metrics()).not.toMatch(
      /^http_request_duration_seconds_count\{[^}]*route="\/api\/orders\/:id\/events"[^}]*status="200"/m,
    );
  });

  // Last: it stops the replica.
  it('ends its streams when it shuts down, so that it can stop and clients reconnect to another replica', async () => {
    const order = await newOrder('grace');
    const stream = await open(replica.url, order.id, { Authorization: order.bearer });
    await stream.nextEvent('state');
    await replica.stop();
    await stream.end();
  });
});
