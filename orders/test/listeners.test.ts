import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import { api, createTicket, placeOrder, startOrders, type OrdersUnderTest } from './orders-api';

describe('orders listeners', () => {
  let orders: OrdersUnderTest;

  beforeAll(async () => {
    orders = await startOrders();
  });

  afterAll(async () => {
    await orders.stop();
  });

  async function orderStatus(orderId: string, buyer: string) {
    const response = await api(orders)
      .get(`/api/orders/${orderId}`)
      .set('Authorization', await orders.bearer(buyer))
      .expect(200);
    return response.body as {
      status: string;
      version: number;
      paymentId: string | null;
      cancellationReason: string | null;
    };
  }

  /** Waits until the orders service has handled `eventId` (its inbox has it). */
  function handled(eventId: string) {
    return waitFor(async () => {
      const row = await orders.db
        .selectFrom('inbox')
        .select('event_id')
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  it('payments.expired cancels an unpaid order once, even when delivered twice', async () => {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'slow-buyer', ticket.id);
    const expiry = await orders.publish('payments.expired', { orderId: order.id, expiresAt: null });
    await orders.publish('payments.expired', { orderId: order.id, expiresAt: null }, expiry);
    const second = await orders.publish('payments.expired', { orderId: order.id, expiresAt: null });
    await handled(expiry.id);
    await handled(second.id);

    expect(await orderStatus(order.id, 'slow-buyer')).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'expired',
      version: 1,
    });
    const cancelled = await orders.recorder.waitFor('orders.cancelled', (data) => data.id === order.id);
    expect(cancelled.data).toEqual({
      id: order.id,
      version: 1,
      reason: 'expired',
      ticket: { id: ticket.id },
    });
    const freed = await orders.recorder.waitFor(
      'tickets.updated',
      (data) => data.id === ticket.id && data.orderId === null,
    );
    expect(freed.data.version).toBe(2);
    expect(
      orders.recorder.events('orders.cancelled').filter((event) => event.data.id === order.id),
    ).toHaveLength(1);
  });

  it('payments.created completes the order and publishes orders.completed with the next version', async () => {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'prompt-buyer', ticket.id);
    const paymentId = randomUUID();
    await orders.publish('payments.created', {
      id: paymentId,
      orderId: order.id,
      stripeId: 'pi_123',
      amount: 2500,
      currency: 'usd',
    });
    const completed = await orders.recorder.waitFor('orders.completed', (data) => data.id === order.id);
    expect(completed.data).toEqual({ id: order.id, version: 1, paymentId });
    expect(await orderStatus(order.id, 'prompt-buyer')).toMatchObject({
      status: 'complete',
      paymentId,
      version: 1,
    });

    const versions = [
      ...orders.recorder.events('orders.created').filter((event) => event.data.id === order.id),
      ...orders.recorder.events('orders.completed').filter((event) => event.data.id === order.id),
    ].map((event) => event.data.version);
    expect(versions).toEqual([0, 1]);
  });

  it('an expiry after the payment cancels nothing', async () => {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'paid-buyer', ticket.id);
    await orders.publish('payments.created', {
      id: randomUUID(),
      orderId: order.id,
      stripeId: 'pi_2',
      amount: 2500,
      currency: 'usd',
    });
    await orders.recorder.waitFor('orders.completed', (data) => data.id === order.id);
    const expiry = await orders.publish('payments.expired', { orderId: order.id, expiresAt: null });
    await handled(expiry.id);
    expect(await orderStatus(order.id, 'paid-buyer')).toMatchObject({ status: 'complete', version: 1 });
    expect(
      orders.recorder.events('orders.cancelled').filter((event) => event.data.id === order.id),
    ).toHaveLength(0);
  });

  it('a payment for a cancelled order leaves it cancelled', async () => {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'late-payer', ticket.id);
    await api(orders)
      .delete(`/api/orders/${order.id}`)
      .set('Authorization', await orders.bearer('late-payer'))
      .expect(200);
    const payment = await orders.publish('payments.created', {
      id: randomUUID(),
      orderId: order.id,
      stripeId: 'pi_3',
      amount: 2500,
      currency: 'usd',
    });
    await handled(payment.id);
    expect(await orderStatus(order.id, 'late-payer')).toMatchObject({
      status: 'cancelled',
      paymentId: null,
      version: 1,
    });
    expect(
      orders.recorder.events('orders.completed').filter((event) => event.data.id === order.id),
    ).toHaveLength(0);
  });

  it('payments.refunded for all of the money cancels a paid order (reason refunded) and frees its ticket; a partial one does not', async () => {
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'changed-mind', ticket.id);
    const paymentId = randomUUID();
    await orders.publish('payments.created', {
      id: paymentId,
      orderId: order.id,
      stripeId: 'pi_9',
      amount: 2500,
      currency: 'usd',
    });
    await orders.recorder.waitFor('orders.completed', (data) => data.id === order.id);
    const refunded = (amount: number, amountLeft: number) =>
      orders.publish('payments.refunded', {
        id: randomUUID(),
        orderId: order.id,
        stripeRefundId: `re_${amountLeft}`,
        amount,
        reason: 'requested_by_admin',
        amountLeft,
      });
    await handled((await refunded(500, 2000)).id);
    expect(await orderStatus(order.id, 'changed-mind')).toMatchObject({ status: 'complete', version: 1 });
    await handled((await refunded(2000, 0)).id);
    expect(await orderStatus(order.id, 'changed-mind')).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'refunded',
      paymentId,
      version: 2,
    });
    const cancelled = await orders.recorder.waitFor('orders.cancelled', (data) => data.id === order.id);
    expect(cancelled.data).toEqual({
      id: order.id,
      version: 2,
      reason: 'refunded',
      ticket: { id: ticket.id },
    });
    await orders.recorder.waitFor(
      'tickets.updated',
      (data) => data.id === ticket.id && data.orderId === null,
    );
    // The ticket is for sale again.
    await placeOrder(orders, 'next-buyer', ticket.id);
  });

  it('parks an invalid event on the dead-letter subject and keeps going', async () => {
    await orders.publish('payments.expired', { orderId: 'not-a-uuid', expiresAt: null });
    const ticket = await createTicket(orders, 'seller');
    const order = await placeOrder(orders, 'after-poison', ticket.id);
    await handled((await orders.publish('payments.expired', { orderId: order.id, expiresAt: null })).id);
    await waitFor(() => orders.recorder.recorded.some((event) => event.subject === 'dlq.payments.expired'));
    expect((await orderStatus(order.id, 'after-poison')).status).toBe('cancelled');
  });
});
