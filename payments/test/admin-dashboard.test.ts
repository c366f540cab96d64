import { randomUUID } from 'node:crypto';
import { waitFor } from '@ticketing/testing';
import { api, pay, paymentsWithSweepOnDemand, replicateOrder } from './payments-api';

interface Row {
  id: string;
  orderId: string;
  userId: string;
  status: string;
}

const nextLink = (headers: Record<string, string>) => headers.link?.match(/<([^>]+)>; rel="next"/)?.[1];

describe('admin dashboard API', () => {
  const running = paymentsWithSweepOnDemand();
  const admin = () => running.payments.bearer('ops', { admin: true });
  const get = async (path: string, status = 200) =>
    api(running.payments)
      .get(path)
      .set('Authorization', await admin())
      .expect(status);
  const ids = (body: Row[]) => body.map((row) => row.id);

  async function declinedThenPaid(buyer: string, price = 3000) {
    const order = await replicateOrder(running.payments, buyer, price);
    const declined = await pay(
      running.payments,
      buyer,
      { orderId: order.id, paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' },
      { status: 402 },
    );
    const paid = await pay(
      running.payments,
      buyer,
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    return { order, declinedId: declined.body.attempt.id as string, payment: paid.body as Row };
  }

  /** Every row of a list, following its Link headers, and how many pages it took. */
  async function allPages(path: string) {
    const rows: Row[] = [];
    let pages = 0;
    for (let next: string | undefined = path; next; pages++) {
      const page = await get(next);
      rows.push(...page.body);
      next = nextLink(page.headers);
    }
    return { rows, pages };
  }

  it('lists attempts narrowed by buyer, outcome and code, order and time, with the buyer, a page at a time', async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const first = await declinedThenPaid(alice);
    const second = await declinedThenPaid(alice);
    const bobs = await replicateOrder(running.payments, bob);
    const expired = await pay(
      running.payments,
      bob,
      { orderId: bobs.id, paymentMethod: 'pm_card_chargeDeclinedExpiredCard' },
      { status: 402 },
    );

    const byAlice = await get(`/api/payments/admin/attempts?userId=${alice}`);
    expect(byAlice.body).toHaveLength(4);
    expect(byAlice.body.every((row: Row) => row.userId === alice)).toBe(true);
    expect(byAlice.body[0]).toMatchObject({
      orderId: second.order.id,
      status: 'succeeded',
      userId: alice,
      updatedAt: expect.any(String),
    });

    const declinedByAlice = await get(
      `/api/payments/admin/attempts?userId=${alice}&outcome=failed&code=insufficient_funds`,
    );
    expect(ids(declinedByAlice.body)).toEqual([second.declinedId, first.declinedId]);
    const byCode = await get('/api/payments/admin/attempts?code=expired_card');
    expect(ids(byCode.body)).toEqual([expired.body.attempt.id]);
    expect(byCode.body[0]).toMatchObject({ userId: bob, code: 'expired_card', declineCode: 'expired_card' });
    const ofOrder = await get(`/api/payments/admin/attempts?orderId=${first.order.id}`);
    expect(ofOrder.body.map((row: Row) => row.status)).toEqual(['succeeded', 'failed']);

    // Moved into 2021 by SQL: only a window around it finds it, from inclusive and to exclusive.
    const backdated = new Date('2021-05-01T10:00:00.000Z');
    await running.payments.db
      .updateTable('payment_attempts')
      .set({ created_at: backdated })
      .where('id', '=', first.declinedId)
      .execute();
    const window = (from: string, to: string) =>
      get(`/api/payments/admin/attempts?userId=${alice}&from=${from}&to=${to}`);
    expect(ids((await window('2021-05-01T10:00:00Z', '2021-05-01T10:00:00.001Z')).body)).toEqual([
      first.declinedId,
    ]);
    expect((await window('2021-05-01T09:00:00Z', '2021-05-01T10:00:00Z')).body).toEqual([]);
    // 12:00 at +02:00 is 10:00 UTC; the + is sent as %2B, as it must be in a query string.
    expect(ids((await window('2021-05-01T12:00:00%2B02:00', '2022-01-01T00:00:00Z')).body)).toEqual([
      first.declinedId,
    ]);
    const sinceThen = await get(`/api/payments/admin/attempts?userId=${alice}&from=2022-01-01T00:00:00Z`);
    expect(sinceThen.body).toHaveLength(3);

    const paged = await allPages(`/api/payments/admin/attempts?userId=${alice}&limit=1`);
    expect(paged.pages).toBe(4);
    expect(ids(paged.rows)).toEqual([...ids(sinceThen.body), first.declinedId]);
  });

  it('lists payments narrowed by status, buyer, order and time, each with its buyer and attempt', async () => {
    const carol = `carol-${randomUUID()}`;
    const kept = await declinedThenPaid(carol, 2000);
    const returned = await declinedThenPaid(carol, 2500);
    await api(running.payments)
      .post(`/api/payments/admin/payments/${returned.payment.id}/refunds`)
      .set('Authorization', await admin())
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(201);

    const byCarol = await get(`/api/payments/admin/payments?userId=${carol}`);
    expect(ids(byCarol.body)).toEqual([returned.payment.id, kept.payment.id]);
    expect(byCarol.body[0]).toMatchObject({
      userId: carol,
      orderId: returned.order.id,
      status: 'refunded',
      amountRefunded: 2500,
      attemptId: expect.any(String),
    });
    const refunded = await get(`/api/payments/admin/payments?userId=${carol}&status=refunded`);
    expect(ids(refunded.body)).toEqual([returned.payment.id]);
    const ofOrder = await get(`/api/payments/admin/payments?orderId=${kept.order.id}`);
    expect(ids(ofOrder.body)).toEqual([kept.payment.id]);
    expect((await get(`/api/payments/admin/payments?userId=nobody-${randomUUID()}`)).body).toEqual([]);

    await running.payments.db
      .updateTable('payments')
      .set({ created_at: new Date('2021-06-01T00:00:00Z') })
      .where('id', '=', kept.payment.id)
      .execute();
    const june = await get(
      `/api/payments/admin/payments?userId=${carol}&from=2021-06-01T00:00:00Z&to=2021-07-01T00:00:00Z`,
    );
    expect(ids(june.body)).toEqual([kept.payment.id]);

    const paged = await allPages(`/api/payments/admin/payments?userId=${carol}&limit=1`);
    expect(ids(paged.rows)).toEqual([returned.payment.id, kept.payment.id]);
  });

  it("shows one order's timeline: attempts with their decline codes, the payment, a partial refund and its state", async () => {
    const { stripe } = running;
    const dave = `dave-${randomUUID()}`;
    const { order, declinedId, payment } = await declinedThenPaid(dave, 5000);
    stripe.setRefundSettlement('pending');
    const partial = await api(running.payments)
      .post(`/api/payments/admin/payments/${payment.id}/refunds`)
      .set('Authorization', await admin())
      .set('Idempotency-Key', randomUUID())
      .send({ amount: 1500, reason: 'seat moved' })
      .expect(201);
    expect(partial.body.refund.status).toBe('pending');

    const pending = await get(`/api/payments/admin/orders/${order.id}`);
    expect(pending.body.order).toMatchObject({
      id: order.id,
      userId: dave,
      status: 'created',
      amount: 5000,
      currency: 'usd',
      expiresAt: order.expiresAt,
      deadlineReachedAt: null,
      expiredAt: null,
    });
    expect(pending.body.attempts).toEqual([
      expect.objectContaining({
        id: declinedId,
        status: 'failed',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        stripePaymentIntentId: expect.stringMatching(/^pi_/),
      }),
      expect.objectContaining({ status: 'succeeded', code: null, declineCode: null }),
    ]);
    expect(pending.body.payments).toEqual([
      expect.objectContaining({ id: payment.id, amountRefunded: 0, userId: dave }),
    ]);
    expect(pending.body.refunds).toEqual([
      expect.objectContaining({ amount: 1500, status: 'pending', reason: 'seat moved', origin: 'admin' }),
    ]);
    expect(pending.body.events.map((event: { kind: string }) => event.kind)).toEqual([
      'attempt.started',
      'attempt.failed',
      'attempt.started',
      'attempt.succeeded',
      'payment.recorded',
      'refund.requested',
    ]);
    expect(pending.body.events[1]).toMatchObject({
      attemptId: declinedId,
      declineCode: 'insufficient_funds',
    });
    const times = pending.body.events.map((event: { at: string }) => event.at);
    expect(times).toEqual([...times].sort());

    stripe.settleRefund(partial.body.refund.stripeRefundId, 'fail');
    const failed = await waitFor(async () => {
      const timeline = await get(`/api/payments/admin/orders/${order.id}`);
      return timeline.body.refunds[0].status === 'failed' && timeline.body;
    });
    expect(failed.refunds[0]).toMatchObject({ status: 'failed', failureReason: expect.any(String) });
    expect(failed.payments[0].amountRefunded).toBe(0);
    expect(failed.events.at(-1)).toMatchObject({
      kind: 'refund.failed',
      refundId: partial.body.refund.id,
      amount: 1500,
      failureReason: failed.refunds[0].failureReason,
    });

    await get(`/api/payments/admin/orders/${randomUUID()}`, 404);
    const invalid = await get('/api/payments/admin/orders/not-a-uuid', 400);
    expect(invalid.body.errors[0].field).toBe('orderId');
  });

  it('answers 400 naming the field of every bad input, and never a 5xx', async () => {
    const fieldOf = async (path: string) =>
      (await get(path, 400)).body.errors.map((e: { field: string }) => e.field);
    const attempts = '/api/payments/admin/attempts';
    expect(await fieldOf(`${attempts}?outcome=paid`)).toEqual(['outcome']);
    expect(await fieldOf(`${attempts}?limit=0`)).toEqual(['limit']);
    expect(await fieldOf(`${attempts}?limit=lots`)).toEqual(['limit']);
    expect(await fieldOf(`${attempts}?orderId=42`)).toEqual(['orderId']);
    expect(await fieldOf(`${attempts}?userId=`)).toEqual(['userId']);
    expect(await fieldOf(`${attempts}?userId=a%00b`)).toEqual(['userId']);
    expect(await fieldOf(`${attempts}?code=%00`)).toEqual(['code']);
    expect(await fieldOf(`${attempts}?userId=a&userId=b`)).toEqual(['userId']);
    expect(await fieldOf(`${attempts}?after=garbage`)).toEqual(['after']);
    expect(await fieldOf(`${attempts}?from=2026-01-01`)).toEqual(['from']);
    // An unencoded + arrives as a space.
    expect(await fieldOf(`${attempts}?to=2026-01-01T00:00:00+02:00`)).toEqual(['to']);
    expect(await fieldOf(`${attempts}?from=2026-02-30T00:00:00Z`)).toEqual(['from']);
    expect(await fieldOf(`${attempts}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).toEqual(['from']);
    const payments = '/api/payments/admin/payments';
    expect(await fieldOf(`${payments}?status=paid&orderId=x`)).toEqual(['status', 'orderId']);
    expect(await fieldOf(`${payments}?from=yesterday`)).toEqual(['from']);
    const stats = '/api/payments/admin/stats';
    expect(await fieldOf(`${stats}?bucket=week`)).toEqual(['bucket']);
    expect(await fieldOf(`${stats}?from=2020-01-01T00:00:00Z&bucket=hour`)).toEqual(['from']);
    expect(await fieldOf(`${stats}?from=2999-01-01T00:00:00Z`)).toEqual(['from']);

    // Far-off but valid instants are answered, not failed on.
    await get(`${attempts}?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z`);
    await get(`${stats}?from=9999-12-01T00:00:00Z&to=9999-12-31T23:59:59.999Z`);
  });

  it('answers 403 to a buyer and 401 without a token, on every admin route', async () => {
    const routes = [
      '/api/payments/admin/attempts',
      '/api/payments/admin/payments',
      `/api/payments/admin/orders/${randomUUID()}`,
      '/api/payments/admin/stats',
    ];
    for (const route of routes) {
      await api(running.payments)
        .get(route)
        .set('Authorization', await running.payments.bearer('buyer'))
        .expect(403);
      await api(running.payments).get(route).expect(401);
    }
  });
});
