import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import { ExpirationHarness, secondsFromNow, type ExpirationReplica } from './expiration-harness';

describe('expiration', () => {
  let harness: ExpirationHarness;

  beforeAll(async () => {
    harness = await ExpirationHarness.create();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  describe('one replica', () => {
    let replica: ExpirationReplica;

    beforeAll(async () => {
      replica = await harness.startReplica();
    });

    afterAll(async () => {
      await harness.stopReplica(replica);
    });

    /** Waits until an order due later than the others has fired: the scheduler fires in due order. */
    async function afterEveryEarlierExpiry(secondsAhead: number) {
      const marker = await harness.publishOrderCreated(secondsFromNow(secondsAhead));
      await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === marker.data.id);
    }

    it('fires expiration.completed once, when the order is due and not before', async () => {
      const created = await harness.publishOrderCreated(secondsFromNow(1));
      const dueAt = Date.parse(created.data.expiresAt);
      const fired = await harness.recorder.waitFor(
        'expiration.completed',
        (data) => data.orderId === created.data.id,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
      expect(Date.parse(fired.occurredAt)).toBeGreaterThanOrEqual(dueAt);
      expect(fired.data).toEqual({ orderId: created.data.id });
      await afterEveryEarlierExpiry(0.5);
      expect(harness.firedFor(created.data.id)).toHaveLength(1);
      expect(await harness.isPending(replica, created.data.id)).toBe(false);
    });

    it('never fires for an order cancelled or completed before it is due', async () => {
      const cancelled = await harness.publishOrderCreated(secondsFromNow(1.5));
      const completed = await harness.publishOrderCreated(secondsFromNow(1.5));
      await waitFor(() => harness.isPending(replica, cancelled.data.id));
      await waitFor(() => harness.isPending(replica, completed.data.id));
      await harness.publish('orders.cancelled', {
        id: cancelled.data.id,
        version: 1,
        reason: 'user',
        ticket: { id: cancelled.data.ticket.id },
      });
      await harness.publish('orders.completed', {
        id: completed.data.id,
        version: 1,
        paymentId: randomUUID(),
      });
      await waitFor(async () => !(await harness.isPending(replica, cancelled.data.id)));
      await waitFor(async () => !(await harness.isPending(replica, completed.data.id)));

      await afterEveryEarlierExpiry(2);
      expect(harness.firedFor(cancelled.data.id)).toHaveLength(0);
      expect(harness.firedFor(completed.data.id)).toHaveLength(0);
    });

    it('fires once for an order announced twice, as a redelivery and as a republished event', async () => {
      const created = await harness.publishOrderCreated(secondsFromNow(1));
      await harness.publish('orders.created', created.data, created);
      await harness.publishOrderCreated(new Date(created.data.expiresAt), created.data.id);
      await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === created.data.id);
      await afterEveryEarlierExpiry(0.5);
      expect(harness.firedFor(created.data.id)).toHaveLength(1);
    });

    it('fires at once for an order whose window has already passed', async () => {
      const late = await harness.publishOrderCreated(secondsFromNow(-60));
      await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === late.data.id);
    });
  });

  it('fires, once and at start-up, what fell due while the service was stopped', async () => {
    const replica = await harness.startReplica();
    const created = await harness.publishOrderCreated(secondsFromNow(1));
    await waitFor(() => harness.isPending(replica, created.data.id));
    await harness.stopReplica(replica);

    const dueAt = Date.parse(created.data.expiresAt);
    await waitFor(() => Date.now() > dueAt, { description: 'the order to fall due' });
    expect(harness.firedFor(created.data.id)).toHaveLength(0);

    const restarted = await harness.startReplica();
    await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === created.data.id);
    const marker = await harness.publishOrderCreated(secondsFromNow(0.5));
    await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === marker.data.id);
    expect(harness.firedFor(created.data.id)).toHaveLength(1);
    await harness.stopReplica(restarted);
  });

  it('fires each of 200 orders exactly once with two replicas running', async () => {
    const replicas = await Promise.all([harness.startReplica(), harness.startReplica()]);
    const start = Date.now() + 1_000;
    const orders = await Promise.all(
      Array.from({ length: 200 }, (_, i) => harness.publishOrderCreated(new Date(start + i * 5))),
    );
    const ids = new Set(orders.map((order) => order.data.id));
    const firedForOrders = () =>
      harness.recorder.events('expiration.completed').filter((event) => ids.has(event.data.orderId));
    await waitFor(() => firedForOrders().length >= ids.size, {
      timeoutMs: 30_000,
      description: '200 expirations',
    });
    const marker = await harness.publishOrderCreated(secondsFromNow(0.5));
    await harness.recorder.waitFor('expiration.completed', (data) => data.orderId === marker.data.id);

    const fired = firedForOrders();
    expect(fired).toHaveLength(200);
    expect(new Set(fired.map((event) => event.data.orderId)).size).toBe(200);
    const dueAt = new Map(orders.map((order) => [order.data.id, Date.parse(order.data.expiresAt)]));
    for (const event of fired) {
      expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(dueAt.get(event.data.orderId) as number);
    }
    // The outbox is where a double firing would show even if the stream dropped it as a duplicate.
    const outboxed = await replicas[0].db
      .selectFrom('outbox')
      .select('envelope')
      .where('subject', '=', 'expiration.completed')
      .execute();
    const outboxedForOrders = outboxed
      .map((row) => (JSON.parse(row.envelope) as { data: { orderId: string } }).data.orderId)
      .filter((orderId) => ids.has(orderId));
    expect(outboxedForOrders).toHaveLength(200);
    await Promise.all(replicas.map((replica) => harness.stopReplica(replica)));
  });
});
