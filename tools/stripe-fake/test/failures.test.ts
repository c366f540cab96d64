import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { rejectionOf } from './support/rejection-of';
import { NO_REDIRECTS } from './support/no-redirects';

const fixture = useStripeFake();

const PAYMENT = {
  amount: 2000,
  currency: 'usd',
  payment_method: 'pm_card_visa',
  confirm: true,
  automatic_payment_methods: NO_REDIRECTS,
};
const OFF = { mode: 'none', rate: 0, next: 0, seed: null };

/** The statuses of `count` reads in a row, to see which of them failed. */
async function listStatuses(count: number): Promise<number[]> {
  const statuses = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${fixture.fake.url}/v1/payment_intents`, {
      headers: { Authorization: 'Bearer sk_test_fake' },
    });
    statuses.push(response.status);
  }
  return statuses;
}

function setFailures(body: string | object): Promise<Response> {
  const json = typeof body === 'object';
  return fetch(`${fixture.fake.url}/_fake/failures`, {
    method: 'POST',
    headers: { 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(body) : body,
  });
}

function succeeded() {
  return fixture.fake.ledger().entries.filter((entry) => entry.status === 'succeeded');
}

describe('error failures', () => {
  it("answer Stripe's 500 api_error without doing anything", async () => {
    fixture.fake.setFailures({ mode: 'error', next: 1 });

    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_1' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    expect((await fixture.stripe.paymentIntents.list()).data).toEqual([]);
    expect((await fixture.stripe.events.list()).data).toEqual([]);
    expect(fixture.fake.ledger().entries).toEqual([]);
  });

  it('keep the 500 for its idempotency key, as Stripe does, so only a new key pays', async () => {
    fixture.fake.setFailures({ mode: 'error', next: 1 });
    await rejectionOf(fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_2' }));

    const retry = await rejectionOf(
      fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_2' }),
    );
    const withNewKey = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_2b' });

    expect(fixture.fake.failures).toEqual(OFF);
    expect(retry).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(retry).toMatchObject({ statusCode: 500, headers: { 'idempotent-replayed': 'true' } });
    expect(withNewKey.status).toBe('succeeded');
    expect(succeeded()).toHaveLength(1);
  });
});

describe('drop failures', () => {
  it('do the work, then cut the connection; a retry with the key replays the answer', async () => {
    // The SDK retries a reset connection once by itself, with the same key, even with maxNetworkRetries: 0.
    fixture.fake.setFailures({ mode: 'drop', next: 2 });

    const error = await rejectionOf(
      fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_3' }),
    );
    const [created] = (await fixture.stripe.paymentIntents.list()).data;
    const retry = await fixture.stripe.paymentIntents.create(PAYMENT, { idempotencyKey: 'order_3' });

    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(created).toMatchObject({ status: 'succeeded', amount: 2000 });
    expect(retry.id).toBe(created?.id);
    expect(retry.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(succeeded()).toHaveLength(1);
    expect(fixture.fake.ledger().entries).toHaveLength(1);
  });

  it("let the SDK's own retry of a reset connection get the kept answer", async () => {
    fixture.fake.setFailures({ mode: 'drop', next: 1 });

    const intent = await fixture.stripe.paymentIntents.create(PAYMENT);

    expect(intent.status).toBe('succeeded');
    expect(intent.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fixture.fake.ledger().entries).toHaveLength(1);
  });
});

describe('which requests fail', () => {
  it('next: n fails exactly the next n requests, then failures are off', async () => {
    fixture.fake.setFailures({ mode: 'error', next: 3 });

    expect(await listStatuses(5)).toEqual([500, 500, 500, 200, 200]);
    expect(fixture.fake.failures).toEqual(OFF);
  });

  it('fails the same requests again for the same seed', async () => {
    fixture.fake.setFailures({ mode: 'error', rate: 0.5, seed: 1234 });
    const first = await listStatuses(20);
    fixture.fake.setFailures({ mode: 'error', rate: 0.5, seed: 1234 });
    const second = await listStatuses(20);

    expect(second).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(fixture.fake.failures).toEqual({ mode: 'error', rate: 0.5, next: 0, seed: 1234 });
  });

  it('reports the seed it chose when none was given, so that a run can be repeated', () => {
    fixture.fake.setFailures({ mode: 'drop', rate: 0.1 });

    expect(Number.isSafeInteger(fixture.fake.failures.seed)).toBe(true);
  });

  it('fails every /v1 request at rate 1, but never a test control', async () => {
    fixture.fake.setFailures({ mode: 'error', rate: 1 });

    const ledger = await fetch(`${fixture.fake.url}/_fake/ledger`);

    expect(await listStatuses(2)).toEqual([500, 500]);
    expect(ledger.status).toBe(200);
    expect((await setFailures({ rate: 0 })).status).toBe(200);
    expect(await listStatuses(1)).toEqual([200]);
  });

  it('are turned off by reset', async () => {
    fixture.fake.setFailures({ mode: 'error', next: 5 });

    fixture.fake.reset();

    expect(fixture.fake.failures).toEqual(OFF);
    expect(await listStatuses(1)).toEqual([200]);
  });
});

describe('failures over HTTP', () => {
  it('are set with a JSON or form body and read back', async () => {
    const fromJson = await setFailures({ mode: 'drop', next: 2, seed: 7 });
    const read = await fetch(`${fixture.fake.url}/_fake/failures`);
    const fromForm = await setFailures('mode=error&rate=0.25&seed=9');

    expect(await fromJson.json()).toEqual({ mode: 'drop', rate: 0, next: 2, seed: 7 });
    expect(await read.json()).toEqual({ mode: 'drop', rate: 0, next: 2, seed: 7 });
    expect(await fromForm.json()).toEqual({ mode: 'error', rate: 0.25, next: 0, seed: 9 });
    expect(fixture.fake.failures).toEqual({ mode: 'error', rate: 0.25, next: 0, seed: 9 });
  });

  it.each([{ rate: 0 }, { mode: 'none' }])('are turned off by %j', async (body) => {
    fixture.fake.setFailures({ mode: 'error', rate: 1 });

    const response = await setFailures(body);

    expect(await response.json()).toEqual(OFF);
    expect(await listStatuses(1)).toEqual([200]);
  });

  it.each([
    [{ mode: 'error', rate: 1.5 }, 'rate', undefined],
    [{ mode: 'error', rate: 'often' }, 'rate', undefined],
    [{ mode: 'flaky', rate: 0.5 }, 'mode', undefined],
    [{ mode: 'error', next: -1 }, 'next', 'parameter_invalid_integer'],
    [{ rate: 0.5 }, 'mode', 'parameter_missing'],
    [{ mode: 'none', next: 1 }, 'mode', undefined],
    [{ mode: 'error', rate: 0.5, probability: 0.5 }, 'probability', 'parameter_unknown'],
  ])('refuses %j, naming %s, and changes nothing', async (body, param, code) => {
    fixture.fake.setFailures({ mode: 'drop', next: 4, seed: 3 });

    const response = await setFailures(body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: expect.objectContaining({ type: 'invalid_request_error', param, ...(code && { code }) }),
    });
    expect(fixture.fake.failures).toEqual({ mode: 'drop', rate: 0, next: 4, seed: 3 });
  });
});
