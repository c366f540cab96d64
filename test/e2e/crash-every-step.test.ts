import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@ticketing/testing';
import pg from 'pg';
import type { CrashPoint } from '../../payments/src/crash-points';
import { Client, startSystem } from './system-client';

const PAYMENT_STEPS: CrashPoint[] = [
  'attempt-started',
  'intent-created',
  'intent-recorded',
  'charge-confirmed',
  'payment-recorded',
];
const REFUND_STEPS: CrashPoint[] = ['refund-requested', 'refund-created', 'refund-recorded'];

/**
 * The payments service killed (SIGKILL) between every two steps of a payment and of a refund: after its
 * restart, the sweep and the client's retries bring each case to where it would have been without the
 * crash, with one charge and the right refund in Stripe's ledger.
 */
describe('the payments service killed between every two steps', () => {
  let running: Awaited<ReturnType<typeof startSystem>>;
  let payments: pg.Client;
  let seller: Client;
  let buyer: Client;
  let admin: Client;
  const scratch = mkdtempSync(join(tmpdir(), 'ticketing-crash-'));
  const crashFile = join(scratch, 'crash-at');

  beforeAll(async () => {
    running = await startSystem({
      EXPIRATION_WINDOW_SECONDS: '600',
      PAYMENT_RECONCILE_INTERVAL_SECONDS: '1',
      TEST_CRASH_POINT_FILE: crashFile,
    });
    payments = new pg.Client({ connectionString: running.databaseUrls.payments });
    await payments.connect();
    seller = await Client.as(running.system, 'seller');
    buyer = await Client.as(running.system, 'buyer');
    admin = await Client.as(running.system, 'ops', { admin: true });
  });

  afterAll(async () => {
    await payments.end();
    await running.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Sends the request with its key until an answer that is not the outage (503) or the crash's claim (409). */
  function untilAnswered<Answer extends { status: number }>(send: () => Promise<Answer>) {
    return waitFor(
      async () => {
        const response = await send();
        return response.status !== 503 && response.status !== 409 && response;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'an answer after the restart' },
    );
  }

  function crashAt(step: CrashPoint) {
    writeFileSync(crashFile, step);
    return running.system.services.payments.restarts;
  }

  const ledgerOf = (intentId: string) =>
    (running.system.stripe?.ledger().entries ?? []).filter((entry) => entry.payment_intent === intentId);

  it.each(PAYMENT_STEPS)('pays once after a crash at %s', async (step) => {
    const price = 5000 + PAYMENT_STEPS.indexOf(step);
    const order = await buyer.order(await seller.sellTicket(price));
    await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_chargeDeclined' });
    const restarts = crashAt(step);
    const key = randomUUID();
    const pay = () =>
      buyer
        .post('/api/payments', { orderId: order.id, paymentMethod: 'pm_card_visa' })
        .set('Idempotency-Key', key);
    expect((await pay()).status).toBe(503);
    await waitFor(() => running.system.services.payments.restarts > restarts, {
      description: 'payments to restart',
    });

    const paid = await untilAnswered(pay);
    expect(paid.status).toBe(201);
    await buyer.waitForOrder(order.id, 'complete', 60_000);
    const { rows } = await payments.query(
      'select status from payment_attempts where order_id = $1 order by created_at',
      [order.id],
    );
    expect(rows.map((row) => row.status)).toEqual(['failed', 'succeeded']);
    const charges = ledgerOf(paid.body.stripeId).filter((entry) => entry.status === 'succeeded');
    expect(charges.map((entry) => [entry.amount_captured, entry.amount_refunded])).toEqual([[price, 0]]);
  });

  it.each(REFUND_STEPS)('refunds once after a crash at %s', async (step) => {
    const price = 6000 + REFUND_STEPS.indexOf(step);
    const order = await buyer.order(await seller.sellTicket(price));
    const paid = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_visa' });
    await buyer.waitForOrder(order.id, 'complete');
    const restarts = crashAt(step);
    const key = randomUUID();
    const refund = () =>
      admin.post(`/api/payments/admin/payments/${paid.body.id}/refunds`, {}).set('Idempotency-Key', key);
    expect((await refund()).status).toBe(503);
    await waitFor(() => running.system.services.payments.restarts > restarts, {
      description: 'payments to restart',
    });

    const refunded = await untilAnswered(refund);
    expect([201, 202]).toContain(refunded.status);
    // All of the money is back: the order is cancelled as refunded, and its ticket is for sale again.
    const cancelled = await buyer.waitForOrder(order.id, 'cancelled', 60_000);
    expect(cancelled.cancellationReason).toBe('refunded');
    const charges = ledgerOf(paid.body.stripeId).filter((entry) => entry.status === 'succeeded');
    expect(charges.map((entry) => entry.refunds.map((one) => [one.amount, one.status]))).toEqual([
      [[price, 'succeeded']],
    ]);
    const { rows } = await payments.query(
      'select status, amount_refunded from payments where order_id = $1',
      [order.id],
    );
    expect(rows).toEqual([{ status: 'refunded', amount_refunded: price }]);
  });
});
