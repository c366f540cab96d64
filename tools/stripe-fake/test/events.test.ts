import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { NO_REDIRECTS } from './support/no-redirects';

const fixture = useStripeFake();

describe('events', () => {
  it('records each state change with a snapshot of the object at that moment', async () => {
    const intent = await fixture.stripe.paymentIntents.create(
      {
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        automatic_payment_methods: NO_REDIRECTS,
      },
      { idempotencyKey: 'order_1' },
    );

    const events = await fixture.stripe.events.list();

    expect(events.data.map((event) => event.type)).toEqual([
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
    ]);
    const [succeeded, , created] = events.data;
    expect(succeeded).toMatchObject({
      object: 'event',
      api_version: expect.any(String),
      livemode: false,
      pending_webhooks: 0,
      request: { id: intent.lastResponse.requestId, idempotency_key: 'order_1' },
      data: { object: { id: intent.id, status: 'succeeded' } },
    });
    expect(succeeded?.id).toMatch(/^evt_\w+$/);
    expect(created?.data.object).toMatchObject({ id: intent.id, status: 'requires_confirmation' });
  });

  it('records declines, 3-D Secure challenges and cancellations', async () => {
    await rejectionOf(
      fixture.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
        automatic_payment_methods: NO_REDIRECTS,
      }),
    );
    const challenged = await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });
    await fixture.stripe.paymentIntents.cancel(challenged.id);

    const types = (await fixture.stripe.events.list({ limit: 100 })).data
      .map((event) => event.type)
      .reverse();

    expect(types).toEqual([
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.canceled',
    ]);
  });

  it('filters by type, exactly or with a trailing wildcard, and pages', async () => {
    for (const amount of [1000, 2000, 3000]) {
      await fixture.stripe.paymentIntents.create({
        amount,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        automatic_payment_methods: NO_REDIRECTS,
      });
    }

    const succeeded = await fixture.stripe.events.list({ type: 'payment_intent.succeeded', limit: 2 });
    const rest = await fixture.stripe.events.list({
      type: 'payment_intent.succeeded',
      starting_after: succeeded.data[1]?.id,
    });
    const intentEvents = await fixture.stripe.events.list({ type: 'payment_intent.*', limit: 100 });

    expect(succeeded).toMatchObject({ object: 'list', url: '/v1/events', has_more: true });
    expect(rest).toMatchObject({ has_more: false, data: [{ type: 'payment_intent.succeeded' }] });
    expect(
      [...succeeded.data, ...rest.data].map((event) => (event.data.object as Stripe.PaymentIntent).amount),
    ).toEqual([3000, 2000, 1000]);
    expect(intentEvents.data).toHaveLength(6);
  });

  it('retrieves one event, and answers 404 for an unknown one', async () => {
    await fixture.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const [listed] = (await fixture.stripe.events.list()).data;

    expect(await fixture.stripe.events.retrieve(String(listed?.id))).toEqual(listed);
    expect(await rejectionOf(fixture.stripe.events.retrieve('evt_missing'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('forgets everything on reset', async () => {
    await fixture.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: NO_REDIRECTS,
    });

    const response = await fetch(`${fixture.fake.url}/_fake/reset`, { method: 'POST' });

    expect(response.status).toBe(200);
    expect((await fixture.stripe.events.list()).data).toEqual([]);
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
    expect(await (await fetch(`${fixture.fake.url}/_fake/ledger`)).json()).toEqual({ entries: [] });
  });
});
