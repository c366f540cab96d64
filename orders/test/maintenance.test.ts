import { sql } from 'kysely';
import { waitFor } from '@ticketing/testing';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

describe('orders maintenance', () => {
  let orders: OrdersUnderTest;

  beforeAll(async () => {
    orders = await startOrders({ MAINTENANCE_SCHEDULE: '* * * * * *', ABANDONED_ORDER_RETENTION_DAYS: '1' });
  });

  afterAll(async () => {
    await orders.stop();
  });

  async function orderIn(buyer: string) {
    const ticket = await createTicket(orders, 'seller');
    return { ticket, order: await placeOrder(orders, buyer, ticket.id) };
  }

  async function expire(orderId: string) {
    const event = await orders.publish('payments.expired', { orderId, expiresAt: null });
    await waitFor(async () =>
      orders.db.selectFrom('inbox').select('event_id').where('event_id', '=', event.id).executeTakeFirst(),
    );
  }

  function cancelledDaysAgo(orderId: string, days: number) {
    return orders.db
      .updateTable('orders')
      .set({ updated_at: sql`now() - make_interval(days => ${days})` })
      .where('id', '=', orderId)
      .execute();
  }

  async function orderExists(orderId: string) {
    const row = await orders.db
      .selectFrom('orders')
      .select('id')
      .where('id', '=', orderId)
      .executeTakeFirst();
    return row !== undefined;
  }

  it('deletes orders that expired unpaid longer ago than the retention, and keeps their tickets', async () => {
    const abandoned = await orderIn('gone-buyer');
    const recentlyExpired = await orderIn('recent-buyer');
    const cancelledByUser = await orderIn('changed-mind');
    const open = await orderIn('still-deciding');
    await expire(abandoned.order.id);
    await expire(recentlyExpired.order.id);
    await api(orders)
      .delete(`/api/orders/${cancelledByUser.order.id}`)
      .set('Authorization', await orders.bearer('changed-mind'))
      .expect(200);
    await cancelledDaysAgo(abandoned.order.id, 2);
    await cancelledDaysAgo(cancelledByUser.order.id, 2);

    await waitFor(async () => !(await orderExists(abandoned.order.id)), { description: 'the sweep' });
    expect(await orderExists(recentlyExpired.order.id)).toBe(true);
    expect(await orderExists(cancelledByUser.order.id)).toBe(true);
    expect(await orderExists(open.order.id)).toBe(true);
    await api(orders).get(`/api/tickets/${abandoned.ticket.id}`).expect(200);
    const removed = await orders.service.metrics.getSingleMetric('maintenance_rows_removed_total')?.get();
    expect(removed?.values.find((value) => value.labels.task === 'abandoned-orders')?.value).toBe(1);
  });
});
