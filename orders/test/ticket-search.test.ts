import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

interface Ticket {
  id: string;
  title: string;
}

const nextLink = (headers: Record<string, string>) => headers.link?.match(/<([^>]+)>; rel="next"/)?.[1];

describe('GET /api/tickets?q=', () => {
  let orders: OrdersUnderTest;
  const search = async (query: string, status = 200) =>
    api(orders).get(`/api/tickets?${query}`).expect(status);
  const titles = (body: Ticket[]) => body.map((ticket) => ticket.title);

  beforeAll(async () => {
    orders = await startOrders();
  });

  afterAll(async () => {
    await orders.stop();
  });

  it('finds titles containing q whatever their case, newest first, and keeps q across pages', async () => {
    const tag = randomUUID().slice(0, 8);
    const created: Ticket[] = [];
    for (const title of [
      `Jazz ${tag} night`,
      `Opera ${tag}`,
      `JAZZ ${tag} brunch`,
      `jazz ${tag} late`,
      'Jazz elsewhere',
    ]) {
      created.push({ ...(await createTicket(orders, 'seller', { title })), title });
    }
    const found = await search(`q=${encodeURIComponent(` jazz ${tag.toUpperCase()} `)}`);
    expect(titles(found.body)).toEqual([`jazz ${tag} late`, `JAZZ ${tag} brunch`, `Jazz ${tag} night`]);

    const seen: string[] = [];
    let next: string | undefined = `/api/tickets?q=jazz%20${tag}&limit=2`;
    while (next) {
      expect(new URL(next, 'http://orders').searchParams.get('q')).toBe(`jazz ${tag}`);
      const page = await api(orders).get(next).expect(200);
      seen.push(...titles(page.body));
      next = nextLink(page.headers);
    }
    expect(seen).toEqual(titles(found.body));

    await placeOrder(orders, 'buyer', (created[3] as Ticket).id);
    const available = await search(`q=jazz%20${tag}&available=true`);
    expect(titles(available.body)).toEqual([`JAZZ ${tag} brunch`, `Jazz ${tag} night`]);
    expect((await search(`q=nothing-${tag}`)).body).toEqual([]);
  });

  it('takes %, _ and \\ in q literally', async () => {
    const tag = randomUUID().slice(0, 8);
    for (const title of [
      `${tag} 50% off`,
      `${tag} 500 off`,
      `${tag} a_b`,
      `${tag} axb`,
      `${tag} C:\\dir`,
      `${tag} C:dir`,
    ]) {
      await createTicket(orders, 'seller', { title });
    }
    expect(titles((await search(`q=${encodeURIComponent(`${tag} 50%`)}`)).body)).toEqual([`${tag} 50% off`]);
    expect(titles((await search(`q=${encodeURIComponent(`${tag} a_b`)}`)).body)).toEqual([`${tag} a_b`]);
    expect(titles((await search(`q=${encodeURIComponent(`${tag} C:\\`)}`)).body)).toEqual([`${tag} C:\\dir`]);
    expect(titles((await search(`q=${encodeURIComponent('%')}&limit=100`)).body)).toEqual([`${tag} 50% off`]);
  });

  it('answers 400 naming q when it is blank, too long, repeated or holds NUL', async () => {
    for (const query of ['q=', 'q=%20%20', `q=${'x'.repeat(101)}`, 'q=a&q=b', 'q=a%00b']) {
      const response = await search(query, 400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['q']);
    }
    await search(`q=${'x'.repeat(100)}`);
  });

  it('has a trigram index PostgreSQL can search titles with', async () => {
    const available = await sql<{ name: string }>`
      select name from pg_available_extensions where name = 'pg_trgm'`.execute(orders.db);
    expect(available.rows).toEqual([{ name: 'pg_trgm' }]);
    const plan = await orders.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const explained = await sql<{ 'QUERY PLAN': string }>`
        explain select id from tickets where title ilike '%opera%'`.execute(trx);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('tickets_title_trigrams');
  });
});
