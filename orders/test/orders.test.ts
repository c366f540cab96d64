import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

const WINDOW_SECONDS = 120;

describe('orders', () => {
  let orders: OrdersUnderTest;

  beforeAll(async () => {
    orders = await startOrders({ EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS) });
  });

  afterAll(async () => {
    await orders.stop();
  });

  describe('POST /api/orders', () => {
    it('reserves the ticket, answers 201 with expiresAt, and publishes orders.created and tickets.updated', async () => {
      const ticket = await createTicket(orders, 'seller', { price: 1999, currency: 'usd' });
      const before = Date.now();
      const response = await api(orders)
        .post('/api/orders')
        .set('Authorization', await orders.bearer('buyer-1'))
        .send({ ticketId: ticket.id })
        .expect(201);
      const order = response.body;
      expect(order).toMatchObject({
        status: 'created',
        userId: 'buyer-1',
        price: 1999,
        currency: 'usd',
        paymentId: null,
        version: 0,
      });
      expect(order.ticket).toEqual({ id: ticket.id, title: 'Concert', price: 1999, currency: 'usd' });
      const expiresIn = Date.parse(order.expiresAt) - before;
      expect(expiresIn).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000 - 1000);
      expect(expiresIn).toBeLessThanOrEqual(WINDOW_SECONDS * 1000 + 5000);
      expect(response.headers.location).toBe(`/api/orders/${order.id}`);

      const created = await orders.recorder.waitFor('orders.created', (data) => data.id === order.id);
      expect(created.data).toEqual({
        id: order.id,
        version: 0,
        status: 'created',
        userId: 'buyer-1',
        expiresAt: order.expiresAt,
        ticket: { id: ticket.id, price: 1999, currency: 'usd' },
      });
      const reserved = await orders.recorder.waitFor('tickets.updated', (data) => data.id === ticket.id);
      expect(reserved.data).toMatchObject({ version: 1, orderId: order.id });
      // Both carry the request's trace and their event id for deduplication, and nothing else.
      for (const event of [created, reserved]) {
        const message = orders.recorder.recorded.find((recorded) => recorded.body.includes(event.id));
        expect(message?.headers).toEqual({
          'Nats-Msg-Id': event.id,
          traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
        });
      }
    });

    it('answers 404 for an unknown ticket, 400 for a bad id, 401 without a token', async () => {
      const bearer = await orders.bearer('buyer-1');
      const unknown = await api(orders)
        .post('/api/orders')
        .set('Authorization', bearer)
        .send({ ticketId: randomUUID() })
        .expect(404);
      expect(unknown.body.errors[0].message).toBe('Ticket not found');
      const invalid = await api(orders)
        .post('/api/orders')
        .set('Authorization', bearer)
        .send({ ticketId: 'abc' })
        .expect(400);
      expect(invalid.body.errors).toEqual([{ message: 'ticketId must be a UUID', field: 'ticketId' }]);
      await api(orders).post('/api/orders').send({ ticketId: randomUUID() }).expect(401);
    });

    it('answers 409 when the ticket is already reserved', async () => {
      const ticket = await createTicket(orders, 'seller');
      await placeOrder(orders, 'buyer-1', ticket.id);
      const response = await api(orders)
        .post('/api/orders')
        .set('Authorization', await orders.bearer('buyer-2'))
        .send({ ticketId: ticket.id })
        .expect(409);
      expect(response.body.errors[0].message).toBe('Ticket is already reserved');
    });

    it('gives one ticket to exactly one of 50 concurrent buyers', async () => {
      const ticket = await createTicket(orders, 'seller');
      const bearers = await Promise.all(Array.from({ length: 50 }, (_, i) => orders.bearer(`racer-${i}`)));
      const responses = await Promise.all(
        bearers.map((bearer) =>
          api(orders).post('/api/orders').set('Authorization', bearer).send({ ticketId: ticket.id }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
      const winner = responses.find((response) => response.status === 201)?.body.id;
      await orders.recorder.waitFor('orders.created', (data) => data.id === winner);
      // Let anything else that might have been published arrive: a later event on the same stream.
      const marker = await createTicket(orders, 'seller');
      await placeOrder(orders, 'marker', marker.id);
      await orders.recorder.waitFor('orders.created', (data) => data.ticket.id === marker.id);
      expect(
        orders.recorder.events('orders.created').filter((event) => event.data.ticket.id === ticket.id),
      ).toHaveLength(1);
    });

    it('replays a retried order with the same Idempotency-Key instead of answering 409', async () => {
      const ticket = await createTicket(orders, 'seller');
      const bearer = await orders.bearer('careful-buyer');
      const send = (body: object) =>
        api(orders)
          .post('/api/orders')
          .set('Authorization', bearer)
          .set('Idempotency-Key', `order-${ticket.id}`)
          .send(body);
      const first = await send({ ticketId: ticket.id }).expect(201);
      const retry = await send({ ticketId: ticket.id }).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      await send({ ticketId: randomUUID() }).expect(422);
    });
  });

  describe('GET /api/orders', () => {
    it("lists only the caller's orders, newest first, with their tickets, a page at a time", async () => {
      const buyer = `collector-${randomUUID()}`;
      const placed = [];
      for (let i = 0; i < 3; i++) {
        const ticket = await createTicket(orders, 'seller', { title: `Gig ${i}` });
        placed.push(await placeOrder(orders, buyer, ticket.id));
      }
      const someoneElses = await createTicket(orders, 'seller');
      await placeOrder(orders, 'another-buyer', someoneElses.id);

      const bearer = await orders.bearer(buyer);
      const first = await api(orders).get('/api/orders?limit=2').set('Authorization', bearer).expect(200);
      expect(first.body.map((order: { id: string }) => order.id)).toEqual([placed[2]?.id, placed[1]?.id]);
      expect(first.body[0].ticket.title).toBe('Gig 2');
      const next = first.headers.link?.match(/<([^>]+)>; rel="next"/)?.[1] as string;
      const second = await api(orders).get(next).set('Authorization', bearer).expect(200);
      expect(second.body.map((order: { id: string }) => order.id)).toEqual([placed[0]?.id]);
      expect(second.headers.link).toBeUndefined();
      await api(orders).get('/api/orders').expect(401);
    });
  });

  describe('GET /api/orders/:id', () => {
    it('shows the owner their order; 403 to others, 404 when unknown, 400 for a bad id', async () => {
      const ticket = await createTicket(orders, 'seller');
      const order = await placeOrder(orders, 'owner', ticket.id);
      const shown = await api(orders)
        .get(`/api/orders/${order.id}`)
        .set('Authorization', await orders.bearer('owner'))
        .expect(200);
      expect(shown.body).toMatchObject({
        id: order.id,
        status: 'created',
        paymentId: null,
        ticket: { id: ticket.id },
      });
      await api(orders)
        .get(`/api/orders/${order.id}`)
        .set('Authorization', await orders.bearer('snoop'))
        .expect(403);
      await api(orders)
        .get(`/api/orders/${randomUUID()}`)
        .set('Authorization', await orders.bearer('owner'))
        .expect(404);
      await api(orders)
        .get('/api/orders/123')
        .set('Authorization', await orders.bearer('owner'))
        .expect(400);
      await api(orders).get(`/api/orders/${order.id}`).expect(401);
    });
  });

  describe('DELETE /api/orders/:id', () => {
    it('cancels an unpaid order, frees its ticket and publishes orders.cancelled once', async () => {
      const ticket = await createTicket(orders, 'seller');
      const order = await placeOrder(orders, 'quitter', ticket.id);
      const bearer = await orders.bearer('quitter');
      const cancelled = await api(orders)
        .delete(`/api/orders/${order.id}`)
        .set('Authorization', bearer)
        .expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'user', version: 1 });
      const event = await orders.recorder.waitFor('orders.cancelled', (data) => data.id === order.id);
      expect(event.data).toEqual({ id: order.id, version: 1, reason: 'user', ticket: { id: ticket.id } });
      const freed = await orders.recorder.waitFor(
        'tickets.updated',
        (data) => data.id === ticket.id && data.version === 2,
      );
      expect(freed.data.orderId).toBeNull();

      const again = await api(orders)
        .delete(`/api/orders/${order.id}`)
        .set('Authorization', bearer)
        .expect(200);
      expect(again.body.version).toBe(1);
      // The ticket can be ordered again.
      await placeOrder(orders, 'next-buyer', ticket.id);
      await orders.recorder.waitFor(
        'orders.created',
        (data) => data.ticket.id === ticket.id && data.userId === 'next-buyer',
      );
      expect(orders.recorder.events('orders.cancelled').filter((e) => e.data.id === order.id)).toHaveLength(
        1,
      );
    });

    it('answers 409 for a paid order, 403 for another user, 404 when unknown', async () => {
      const ticket = await createTicket(orders, 'seller');
      const order = await placeOrder(orders, 'payer', ticket.id);
      await orders.publish('payments.created', {
        id: randomUUID(),
        orderId: order.id,
        stripeId: 'pi_1',
        amount: 2500,
        currency: 'usd',
      });
      const bearer = await orders.bearer('payer');
      await waitFor(async () => {
        const shown = await api(orders).get(`/api/orders/${order.id}`).set('Authorization', bearer);
        return shown.body.status === 'complete';
      });
      const response = await api(orders)
        .delete(`/api/orders/${order.id}`)
        .set('Authorization', bearer)
        .expect(409);
      expect(response.body.errors[0].message).toBe('The order is paid and cannot be cancelled');
      await api(orders)
        .delete(`/api/orders/${order.id}`)
        .set('Authorization', await orders.bearer('other'))
        .expect(403);
      await api(orders).delete(`/api/orders/${randomUUID()}`).set('Authorization', bearer).expect(404);
    });
  });
});
