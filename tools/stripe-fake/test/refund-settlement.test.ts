import { waitFor } from '@ticketing/testing';
import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { NO_REDIRECTS } from './support/no-redirects';
import { rejectionOf } from './support/rejection-of';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_refunds';
const fixture = useStripeFake({ webhookSecret: SECRET });
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  fixture.fake.webhooks.configure({ url: receiver.url });
});
beforeEach(() => receiver.clear());
afterAll(() => receiver.stop());

async function paidCharge(paymentMethod = 'pm_card_visa', amount = 5000): Promise<string> {
  const intent = await fixture.stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: paymentMethod,
    confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
  });
  return String(intent.latest_charge);
}

/** The first events received about a refund, verified as an integration would, in the order they arrived. */
async function refundWebhooks(refundId: string, count: number): Promise<Stripe.Event[]> {
  const received = await waitFor(
    () => {
      const forRefund = receiver.received.filter(({ event }) => relatesTo(event, refundId));
      return forRefund.length >= count && forRefund;
    },
    { description: `${count} webhooks about ${refundId}` },
  );
  return received.slice(0, count).map((webhook) => receiver.verify(webhook, SECRET));
}

function relatesTo(event: Stripe.Event, refundId: string): boolean {
  const object = event.data.object as { id: string; object: string };
  return object.id === refundId || (event.type === 'charge.refunded' && object.object === 'charge');
}

function settle(refundId: string, body: object): Promise<Response> {
  return fetch(`${fixture.fake.url}/_fake/refunds/${refundId}/settle`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function returned(chargeId: string): number {
  const entry = fixture.fake.ledger().entries.find(({ charge }) => charge === chargeId);
  return (entry?.refunds ?? [])
    .filter(({ status }) => status === 'succeeded')
    .reduce((sum, { amount }) => sum + amount, 0);
}

describe("Stripe's asynchronous refund test cards", () => {
  it.each(['pm_card_refundFail', 'tok_refundFail'])(
    'a refund of %s is answered succeeded, then fails, giving the money back to the charge',
    async (paymentMethod) => {
      const chargeId = await paidCharge(paymentMethod);

      const refund = await fixture.stripe.refunds.create(
        { charge: chargeId },
        { idempotencyKey: 'refund_1' },
      );
      const failed = await waitFor(
        async () => {
          const current = await fixture.stripe.refunds.retrieve(refund.id);
          return current.status === 'failed' && current;
        },
        { description: 'the refund to fail' },
      );

      expect(refund).toMatchObject({ status: 'succeeded', failure_reason: null, amount: 5000 });
      expect(failed).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
      expect(await fixture.stripe.charges.retrieve(chargeId)).toMatchObject({
        amount_refunded: 0,
        refunded: false,
      });
      expect(returned(chargeId)).toBe(0);
      const events = await refundWebhooks(refund.id, 5);
      expect(events.map(({ type }) => type)).toEqual([
        'refund.created',
        'charge.refunded',
        'refund.updated',
        'refund.failed',
        'charge.refund.updated',
      ]);
      expect(events[0]?.request).toEqual({ id: refund.lastResponse.requestId, idempotency_key: 'refund_1' });
      expect(events[2]).toMatchObject({
        request: { id: null, idempotency_key: null },
        data: {
          object: { id: refund.id, status: 'failed' },
          previous_attributes: { status: 'succeeded', failure_reason: null },
        },
      });
      expect(events[4]?.data.object).toMatchObject({ object: 'refund', status: 'failed' });
    },
  );

  it('a refund of pm_card_pendingRefund is answered pending, then succeeds', async () => {
    const chargeId = await paidCharge('pm_card_pendingRefund');

    const refund = await fixture.stripe.refunds.create({ charge: chargeId, amount: 2000 });
    const events = await refundWebhooks(refund.id, 4);

    expect(refund.status).toBe('pending');
    expect(events.map(({ type }) => type)).toEqual([
      'refund.created',
      'charge.refunded',
      'refund.updated',
      'charge.refund.updated',
    ]);
    expect(events[2]?.data).toMatchObject({
      object: { status: 'succeeded' },
      previous_attributes: { status: 'pending' },
    });
    expect(await fixture.stripe.refunds.retrieve(refund.id)).toMatchObject({ status: 'succeeded' });
    expect(returned(chargeId)).toBe(2000);
  });
});

describe('refunds kept pending by the test', () => {
  beforeEach(() => fixture.fake.setRefundSettlement('pending'));

  it('stay pending, their amount taken from the charge, until settled as succeeded', async () => {
    const chargeId = await paidCharge();

    const refund = await fixture.stripe.refunds.create({ charge: chargeId, amount: 3000 });
    const stillPending = await fixture.stripe.refunds.retrieve(refund.id);
    const charge = await fixture.stripe.charges.retrieve(chargeId);
    const settled = fixture.fake.settleRefund(refund.id, 'succeed');
    const events = await refundWebhooks(refund.id, 4);

    expect([refund.status, stillPending.status]).toEqual(['pending', 'pending']);
    expect(charge).toMatchObject({ amount_refunded: 3000, refunded: false });
    expect(settled).toMatchObject({ id: refund.id, status: 'succeeded' });
    expect(events.map(({ type }) => type)).toEqual([
      'refund.created',
      'charge.refunded',
      'refund.updated',
      'charge.refund.updated',
    ]);
    expect(events[3]?.data).toMatchObject({
      object: { id: refund.id, status: 'succeeded' },
      previous_attributes: { status: 'pending' },
    });
    expect(fixture.fake.ledger().entries[0]?.refunds).toEqual([
      { id: refund.id, amount: 3000, reason: null, status: 'succeeded' },
    ]);
    expect(returned(chargeId)).toBe(3000);
  });

  it('fail when settled so over HTTP, giving the money back, so that the charge can be refunded again', async () => {
    const chargeId = await paidCharge();
    const refund = await fixture.stripe.refunds.create({ charge: chargeId });

    const response = await settle(refund.id, { outcome: 'fail' });
    const charge = await fixture.stripe.charges.retrieve(chargeId);
    const again = await fixture.stripe.refunds.create({ charge: chargeId });
    fixture.fake.settleRefund(again.id, 'succeed');
    const events = await refundWebhooks(refund.id, 5);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: refund.id,
      status: 'failed',
      failure_reason: 'unknown',
    });
    expect(charge).toMatchObject({ amount_refunded: 0, refunded: false });
    expect(events.map(({ type }) => type)).toEqual([
      'refund.created',
      'charge.refunded',
      'refund.updated',
      'refund.failed',
      'charge.refund.updated',
    ]);
    expect(events[3]?.data.object).toMatchObject({ id: refund.id, status: 'failed' });
    expect(fixture.fake.ledger().entries[0]).toMatchObject({
      amount_refunded: 5000,
      refunds: [
        { id: refund.id, status: 'failed' },
        { id: again.id, status: 'succeeded' },
      ],
    });
    expect(returned(chargeId)).toBe(5000);
  });

  it('count as taken: more than is left is amount_too_large, and nothing left is charge_already_refunded', async () => {
    const chargeId = await paidCharge();
    await fixture.stripe.refunds.create({ charge: chargeId, amount: 4000 });

    const tooMuch = await rejectionOf(fixture.stripe.refunds.create({ charge: chargeId, amount: 1001 }));
    await fixture.stripe.refunds.create({ charge: chargeId, amount: 1000 });
    const nothingLeft = await rejectionOf(fixture.stripe.refunds.create({ charge: chargeId }));

    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(nothingLeft).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('keep the outcome the test gives a refundFail refund', async () => {
    const chargeId = await paidCharge('pm_card_refundFail');

    const refund = await fixture.stripe.refunds.create({ charge: chargeId });
    const settled = fixture.fake.settleRefund(refund.id, 'succeed');

    expect([refund.status, settled.status]).toEqual(['pending', 'succeeded']);
  });

  it('cannot be settled twice, nor settled when unknown or with another outcome', async () => {
    const refund = await fixture.stripe.refunds.create({ charge: await paidCharge() });
    fixture.fake.settleRefund(refund.id, 'succeed');

    const twice = await settle(refund.id, { outcome: 'fail' });
    const unknown = await settle('re_missing', { outcome: 'fail' });
    const badOutcome = await settle(refund.id, { outcome: 'maybe' });

    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('has already settled') },
    });
    expect(unknown.status).toBe(404);
    expect(badOutcome.status).toBe(400);
    expect(await badOutcome.json()).toMatchObject({ error: { param: 'outcome' } });
    expect((await fixture.stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
  });
});

describe('the refund settlement switch', () => {
  it('is set over HTTP, and turned back to immediate by reset', async () => {
    const response = await fetch(`${fixture.fake.url}/_fake/refunds/settlement`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ settlement: 'pending' }),
    });

    expect(await response.json()).toEqual({ settlement: 'pending' });
    expect(fixture.fake.refundSettlement).toBe('pending');
    fixture.fake.reset();
    expect(fixture.fake.refundSettlement).toBe('immediate');
    const refund = await fixture.stripe.refunds.create({ charge: await paidCharge() });
    expect(refund.status).toBe('succeeded');
  });

  it('refuses an unknown value', async () => {
    const response = await fetch(`${fixture.fake.url}/_fake/refunds/settlement`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ settlement: 'later' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'settlement' } });
  });
});
