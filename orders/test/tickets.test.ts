import { randomUUID } from 'node:crypto';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

describe('tickets', () => {
  let orders: OrdersUnderTest;

  beforeAll(async () => {
    orders = await startOrders();
  });

  afterAll(async () => {
    await orders.stop();
  });

  describe('POST /api/tickets', () => {
    it('puts a ticket on sale and publishes tickets.created', async () => {
      const response = await api(orders)
        .post('/api/tickets')
        .set('Authorization', await orders.bearer('seller-1'))
        .send({ title: 'Opera', price: 4999, currency: 'EUR' })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        title: 'Opera',
        price: 4999,
        currency: 'eur',
        userId: 'seller-1',
        orderId: null,
        version: 0,
      });
      expect(response.headers.location).toBe(`/api/tickets/${response.body.id}`);
      const event = await orders.recorder.waitFor('tickets.created', (data) => data.id === response.body.id);
      expect(event.data).toEqual({ ...response.body, orderId: null });
    });

    it('answers 400 naming each invalid field', async () => {
      const response = await api(orders)
        .post('/api/tickets')
        .set('Authorization', await orders.bearer('seller-1'))
        .send({ title: '   ', price: 10.5, currency: 'dollars' })
        .expect(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([
        'title',
        'price',
        'currency',
      ]);
      for (const price of [0, -5, '100', null]) {
        await api(orders)
          .post('/api/tickets')
          .set('Authorization', await orders.bearer('seller-1'))
          .send({ title: 'x', price })
          .expect(400);
      }
    });

    it('refuses a NUL byte or a string price instead of failing in SQL or guessing', async () => {
      const post = async (body: object) =>
        api(orders)
          .post('/api/tickets')
          .set('Authorization', await orders.bearer('seller-1'))
          .send(body);
      const nul = await post({ title: 'Opera\u0000night', price: 5000 });
      expect(nul.status).toBe(400);
      expect(nul.body.errors).toEqual([
        { field: 'title', message: 'title must not contain control characters' },
      ]);
      const text = await post({ title: 'Opera night', price: '5000' });
      expect(text.status).toBe(400);
      expect(text.body.errors.map((error: { field: string }) => error.field)).toEqual(['price']);
    });

    it('refuses a price Stripe could not charge, or a currency it does not take, naming the field', async () => {
      const post = async (body: object) =>
        api(orders)
          .post('/api/tickets')
          .set('Authorization', await orders.bearer('seller-1'))
          .send(body)
          .expect(400);
      const tooCheap = await post({ title: 'Flyer', price: 49 });
      expect(tooCheap.body.errors).toEqual([
        { field: 'price', message: "price must be at least 50 (0.50 usd), Stripe's minimum charge" },
      ]);
      const pounds = await post({ title: 'Flyer', price: 29, currency: 'gbp' });
      expect(pounds.body.errors[0]).toMatchObject({
        field: 'price',
        message: expect.stringMatching(/at least 30/),
      });
      const unknown = await post({ title: 'Flyer', price: 5000, currency: 'xyz' });
      expect(unknown.body.errors).toEqual([
        {
          field: 'currency',
          message: 'currency must be one Stripe charges cards in, such as "usd" or "eur"',
        },
      ]);
      await api(orders)
        .post('/api/tickets')
        .set('Authorization', await orders.bearer('seller-1'))
        .send({ title: 'Flyer', price: 50 })
        .expect(201);
    });

    it('answers 401 without a token', async () => {
      await api(orders).post('/api/tickets').send({ title: 'x', price: 100 }).expect(401);
    });

    it('replays the answer to a retried request with the same Idempotency-Key', async () => {
      const bearer = await orders.bearer('seller-2');
      const first = await api(orders)
        .post('/api/tickets')
        .set('Authorization', bearer)
        .set('Idempotency-Key', 'sell-once')
        .send({ title: 'Ballet', price: 3000 })
        .expect(201);
      const retry = await api(orders)
        .post('/api/tickets')
        .set('Authorization', bearer)
        .set('Idempotency-Key', 'sell-once')
        .send({ title: 'Ballet', price: 3000 })
        .expect(201);
      expect(retry.body).toEqual(first.body);
      const count = await orders.db
        .selectFrom('tickets')
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .where('title', '=', 'Ballet')
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
    });
  });

  describe('PUT /api/tickets/:id', () => {
    it('lets the owner change the ticket, bumping its version', async () => {
      const ticket = await createTicket(orders, 'seller-3');
      const response = await api(orders)
        .put(`/api/tickets/${ticket.id}`)
        .set('Authorization', await orders.bearer('seller-3'))
        .send({ title: 'Concert (moved)', price: 3000 })
        .expect(200);
      expect(response.body).toMatchObject({ title: 'Concert (moved)', price: 3000, version: 1 });
      const event = await orders.recorder.waitFor(
        'tickets.updated',
        (data) => data.id === ticket.id && data.version === 1,
      );
      expect(event.data.title).toBe('Concert (moved)');
    });

    it('answers 403 to another user, 404 to an unknown ticket, 400 to bad input, 401 without a token', async () => {
      const ticket = await createTicket(orders, 'seller-4');
      await api(orders)
        .put(`/api/tickets/${ticket.id}`)
        .set('Authorization', await orders.bearer('mallory'))
        .send({ title: 'Mine now', price: 100 })
        .expect(403);
      await api(orders)
        .put(`/api/tickets/${randomUUID()}`)
        .set('Authorization', await orders.bearer('seller-4'))
        .send({ title: 'x', price: 100 })
        .expect(404);
      const invalid = await api(orders)
        .put(`/api/tickets/not-a-uuid`)
        .set('Authorization', await orders.bearer('seller-4'))
        .send({ title: 'x', price: 100 })
        .expect(400);
      expect(invalid.body.errors[0].field).toBe('id');
      await api(orders).put(`/api/tickets/${ticket.id}`).send({ title: 'x', price: 1 }).expect(401);
    });

    it('answers 409 while an order holds the ticket', async () => {
      const ticket = await createTicket(orders, 'seller-5');
      await placeOrder(orders, 'buyer-5', ticket.id);
      const response = await api(orders)
        .put(`/api/tickets/${ticket.id}`)
        .set('Authorization', await orders.bearer('seller-5'))
        .send({ title: 'Raise the price', price: 99_999 })
        .expect(409);
      expect(response.body.errors[0].message).toMatch(/reserved/);
    });
  });

  describe('GET /api/tickets', () => {
    it('pages through tickets newest first with a Link header, and filters out reserved ones', async () => {
      const seller = `lister-${randomUUID()}`;
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await createTicket(orders, seller, { title: `Show ${i}` }));
      await placeOrder(orders, 'buyer-x', (created[4] as { id: string }).id);

      const seen: string[] = [];
      let next: string | undefined = '/api/tickets?limit=2';
      while (next) {
        const page: { body: Array<{ userId: string; id: string }>; headers: Record<string, string> } =
          await api(orders).get(next).expect(200);
        expect(page.body.length).toBeLessThanOrEqual(2);
        seen.push(
          ...page.body
            .filter((t: { userId: string }) => t.userId === seller)
            .map((t: { id: string }) => t.id),
        );
        next = page.headers.link?.match(/<([^>]+)>; rel="next"/)?.[1];
      }
      expect(seen).toEqual(created.map((ticket) => ticket.id).reverse());

      const available = await api(orders).get('/api/tickets?available=true&limit=100').expect(200);
      const ids = available.body.map((ticket: { id: string }) => ticket.id);
      expect(ids).not.toContain((created[4] as { id: string }).id);
      expect(ids).toContain((created[3] as { id: string }).id);
    });

    it('answers 400 to a bad limit or cursor', async () => {
      const response = await api(orders).get('/api/tickets?limit=1000&after=garbage').expect(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['limit', 'after']);
      const cursor = await api(orders).get('/api/tickets?after=garbage').expect(400);
      expect(cursor.body.errors).toEqual([
        { message: 'after is not a cursor this API issued', field: 'after' },
      ]);
    });
  });

  describe('GET /api/tickets/:id', () => {
    it('shows a ticket to anyone, 404 for an unknown one', async () => {
      const ticket = await createTicket(orders, 'seller-6');
      const response = await api(orders).get(`/api/tickets/${ticket.id}`).expect(200);
      expect(response.body.id).toBe(ticket.id);
      await api(orders).get(`/api/tickets/${randomUUID()}`).expect(404);
      await api(orders).get('/api/tickets/nope').expect(400);
    });
  });

  it('serves its OpenAPI document', async () => {
    const response = await api(orders).get('/api/orders/openapi.json').expect(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/api/tickets', '/api/tickets/{id}', '/api/orders', '/api/orders/{id}']),
    );
  });
});
