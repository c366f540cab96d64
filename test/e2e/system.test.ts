import {
  Bus,
  createDatabase,
  defineListener,
  ListenerRunner,
  provisionStreams,
  createLogger,
} from '@ticketing/bus';
import { migrateToLatest, type CommonTables } from '@ticketing/service';
import { waitFor } from '@ticketing/testing';
import type { Kysely } from 'kysely';
import { Client, startSystem } from './system-client';

type RunningSystem = Awaited<ReturnType<typeof startSystem>>;

describe('the whole system, through its entry point', () => {
  let running: RunningSystem;
  let seller: Client;
  let buyer: Client;
  const paymentsSeenOutside: string[] = [];
  let stopSubscriber: () => Promise<void>;

  beforeAll(async () => {
    running = await startSystem({ EXPIRATION_WINDOW_SECONDS: '120' });
    seller = await Client.as(running.system, 'seller');
    buyer = await Client.as(running.system, 'buyer');

    // An outside service, written only against the shared packages' public API: its own database for the
    // inbox, a durable consumer of payments.created.
    const db = createDatabase<CommonTables>({ connectionString: await running.infra.createDatabase() });
    await migrateToLatest(db as unknown as Kysely<unknown>);
    const bus = await Bus.connect({
      url: running.infra.natsUrl,
      name: 'receipts',
      namespace: running.infra.namespace,
    });
    await provisionStreams(bus);
    const subscriber = new ListenerRunner({
      service: 'receipts',
      db,
      bus,
      logger: createLogger('receipts', 'silent'),
      listener: defineListener<CommonTables, 'payments.created'>('payments.created', async (event) => {
        paymentsSeenOutside.push(event.data.orderId);
      }),
    });
    await subscriber.start();
    stopSubscriber = async () => {
      await subscriber.stop();
      await bus.close();
      await db.destroy();
    };
  });

  afterAll(async () => {
    await stopSubscriber();
    await running.stop();
  });

  it('takes an order from reservation to complete with a good card', async () => {
    const order = await buyer.order(await seller.sellTicket());
    const payment = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_visa' });
    expect(payment.status).toBe(201);
    const completed = await buyer.waitForOrder(order.id, 'complete');
    expect(completed.paymentId).toBe(payment.body.id);
  });

  it('declines a card, then accepts another', async () => {
    const order = await buyer.order(await seller.sellTicket());
    const declined = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect(declined.body.errors[0].code).toBe('generic_decline');
    await buyer.post('/api/payments', { orderId: order.id, token: 'tok_visa' }).expect(201);
    await buyer.waitForOrder(order.id, 'complete');
  });

  it('completes a 3-D Secure payment through the Stripe webhook', async () => {
    const order = await buyer.order(await seller.sellTicket());
    const pending = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_authenticationRequired' });
    expect(pending.status).toBe(202);
    expect(pending.body.clientSecret).toBeTruthy();
    running.system.stripe?.authenticate(pending.body.attempt.stripePaymentIntentId, 'succeed');
    await buyer.waitForOrder(order.id, 'complete');
  });

  it('lets the buyer cancel, freeing the ticket for the next buyer', async () => {
    const ticketId = await seller.sellTicket();
    const order = await buyer.order(ticketId);
    const cancelled = await buyer.delete(`/api/orders/${order.id}`).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'user' });
    expect((await seller.get(`/api/tickets/${ticketId}`).expect(200)).body.orderId).toBeNull();
    const other = await Client.as(running.system, 'second-buyer');
    await other.order(ticketId);
  });

  it('gives a ticket to one of two racing buyers', async () => {
    const ticketId = await seller.sellTicket();
    const rival = await Client.as(running.system, 'rival');
    const [first, second] = await Promise.all([
      buyer.post('/api/orders', { ticketId }),
      rival.post('/api/orders', { ticketId }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
  });

  it('tells an outside subscriber about every payment', async () => {
    const paid = (await buyer.get('/api/orders?limit=100').expect(200)).body.filter(
      (order: { status: string }) => order.status === 'complete',
    );
    expect(paid.length).toBeGreaterThanOrEqual(3);
    await waitFor(() => paid.every((order: { id: string }) => paymentsSeenOutside.includes(order.id)));
    expect(new Set(paymentsSeenOutside).size).toBe(paymentsSeenOutside.length);
  });
});

describe('the whole system, with a short payment window', () => {
  let running: RunningSystem;
  let seller: Client;
  let buyer: Client;

  beforeAll(async () => {
    running = await startSystem({ EXPIRATION_WINDOW_SECONDS: '2' });
    seller = await Client.as(running.system, 'seller');
    buyer = await Client.as(running.system, 'buyer');
  });

  afterAll(async () => {
    await running.stop();
  });

  it('cancels an unpaid order when its window ends and frees the ticket', async () => {
    const ticketId = await seller.sellTicket();
    const order = await buyer.order(ticketId);
    const expired = await buyer.waitForOrder(order.id, 'cancelled');
    expect(expired.cancellationReason).toBe('expired');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(order.expiresAt));
    expect((await seller.get(`/api/tickets/${ticketId}`).expect(200)).body.orderId).toBeNull();
  });

  it('keeps the ticket for a payment under way when the window ends, though Stripe answers after it', async () => {
    const stripe = running.system.stripe;
    if (!stripe) throw new Error('the system runs against the Stripe fake');
    const order = await buyer.order(await seller.sellTicket());
    // Stripe answers slowly: the charge succeeds only after the order's deadline.
    stripe.setLatency(1500);
    try {
      const payment = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_visa' });
      expect(payment.status).toBe(201);
    } finally {
      stripe.setLatency(0);
    }
    expect(Date.now()).toBeGreaterThan(Date.parse(order.expiresAt));
    await buyer.waitForOrder(order.id, 'complete');
    const [paid] = (await buyer.get(`/api/payments?orderId=${order.id}`).expect(200)).body;
    const charge = stripe
      .ledger()
      .entries.find((entry) => entry.payment_intent === paid.stripeId && entry.status === 'succeeded');
    expect(charge).toMatchObject({ amount_captured: 2500, amount_refunded: 0 });
    await buyer.post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' }).expect(409);
  });
});
