import { waitFor } from '@ticketing/testing';
import pg from 'pg';
import { Client, startSystem } from './system-client';

/**
 * A buyer pays the moment the order is created, before `orders.created` has reached the payments service:
 * the payment waits for the order (PAYMENT_ORDER_WAIT_MS) rather than answering 404.
 */
describe('paying right after ordering', () => {
  let running: Awaited<ReturnType<typeof startSystem>>;
  let seller: Client;
  let buyer: Client;
  let payments: pg.Client;

  beforeAll(async () => {
    running = await startSystem({ EXPIRATION_WINDOW_SECONDS: '300' });
    seller = await Client.as(running.system, 'seller');
    buyer = await Client.as(running.system, 'buyer');
    payments = new pg.Client({ connectionString: running.databaseUrls.payments });
    await payments.connect();
  });

  afterAll(async () => {
    await payments.end();
    await running.stop();
  });

  it('pays orders the moment they are created', async () => {
    for (let round = 0; round < 3; round++) {
      const order = await buyer.order(await seller.sellTicket());
      const payment = await buyer.post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' });
      expect(payment.status).toBe(201);
    }
  });

  it('pays an order whose orders.created reaches payments only after the payment was asked for', async () => {
    // Holds back the payments service's replication of orders (its insert waits for this lock), so that
    // the payment certainly arrives first.
    await payments.query('begin');
    await payments.query('lock table orders in share mode');
    const order = await buyer.order(await seller.sellTicket());
    const sent = buyer
      .post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' })
      .then((response) => response);
    // Both are under way: the replication's insert queued behind the lock, the payment waiting for it.
    await waitFor(
      async () => {
        const blocked = await payments.query(
          "select 1 from pg_locks where relation = 'orders'::regclass and not granted",
        );
        const metrics = await (await fetch(`${running.system.services.payments.url}/metrics`)).text();
        const waiting = /^notification_hub_subscribers\{[^}]*channel="order_replicated"[^}]*\} ([1-9]\d*)$/m;
        return (blocked.rowCount ?? 0) > 0 && waiting.test(metrics);
      },
      { description: 'the replication blocked and the payment waiting for the order' },
    );
    const { rowCount } = await payments.query('select 1 from orders where id = $1', [order.id]);
    expect(rowCount).toBe(0);
    await payments.query('commit');

    const payment = await sent;
    expect(payment.status).toBe(201);
    expect(payment.body.orderId).toBe(order.id);
    await buyer.waitForOrder(order.id, 'complete');
  });
});
