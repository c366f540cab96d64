import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transaction } from 'kysely';
import { buildAsyncApiDocument, parseEnvelope, streamOf, subjects, versionOrder } from '@ticketing/contracts';
import { defineListener, enqueue } from '@ticketing/bus';
import { type CommonTables } from '@ticketing/service';

describe('event contracts', () => {
  it('has a committed AsyncAPI document that matches the schemas (run `npm run events:document -w common`)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'events.asyncapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
  });

  it('documents every subject with its stream and payload schema', () => {
    const document = buildAsyncApiDocument();
    const addresses = Object.values(document.channels).map(
      (channel) => (channel as { address: string }).address,
    );
    expect(addresses.sort()).toEqual([...subjects].sort());
    const paymentCreated = document.components.messages.PaymentsCreated as {
      payload: { properties: { data: unknown } };
    };
    expect(paymentCreated.payload.properties.data).toMatchObject({
      required: expect.arrayContaining(['id', 'orderId', 'stripeId', 'amount', 'currency']),
    });
    expect(streamOf('payments.refunded')).toBe('PAYMENTS');
  });

  it('rejects a payload that breaks its contract, naming the field', () => {
    const good = {
      id: '9d7e2f3a-8c1b-4c6d-9e0f-1a2b3c4d5e6f',
      subject: 'payments.created',
      occurredAt: new Date().toISOString(),
    };
    const data = { id: good.id, orderId: good.id, stripeId: 'pi_1', amount: 1999, currency: 'usd' };
    expect(parseEnvelope('payments.created', JSON.stringify({ ...good, data })).ok).toBe(true);
    const fractional = parseEnvelope(
      'payments.created',
      JSON.stringify({ ...good, data: { ...data, amount: 19.99 } }),
    );
    expect(fractional).toMatchObject({ ok: false, reason: expect.stringMatching(/amount/) });
    const misrouted = parseEnvelope('payments.failed', JSON.stringify({ ...good, data }));
    expect(misrouted).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
  });

  it('orders versions: next, stale, future', () => {
    expect(versionOrder(1, 2)).toBe('next');
    expect(versionOrder(2, 2)).toBe('stale');
    expect(versionOrder(1, 3)).toBe('future');
  });

  it('does not compile a payload of the wrong subject', () => {
    // Checked by `npm run typecheck`: each line below must fail to compile, or the directive itself errors.
    const typeChecks = async (trx: Transaction<CommonTables>) => {
      // @ts-expect-error orders.created needs the full order, not an expiration payload
      await enqueue(trx, 'orders.created', { orderId: 'x' });
      // @ts-expect-error an unknown subject
      await enqueue(trx, 'orders.shipped', {});
      defineListener<CommonTables, 'payments.created'>('payments.created', async (event) => {
        // @ts-expect-error payments.created carries no declineCode
        void event.data.declineCode;
      });
    };
    expect(typeof typeChecks).toBe('function');
  });
});
