import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { DeadLetterHeaders, defineListener } from '@ticketing/bus';
import { versionOrder } from '@ticketing/contracts';
import { acceptConnections, refuseConnections, waitFor } from '@ticketing/testing';
import { BusFixture, envelope, expirationCompleted, recordEffect, type TestDatabase } from './bus-fixture';

describe('listeners', () => {
  let fixture: BusFixture;

  beforeEach(async () => {
    fixture = await BusFixture.create();
  });

  afterEach(async () => {
    await fixture.dispose();
  });

  it('has the effect of a message delivered twice only once', async () => {
    await fixture.listen(recordEffect);
    const event = envelope('expiration.completed', expirationCompleted());
    // Two copies under different message ids get past the server's dedup, as a redelivery does.
    await fixture.publishRaw('expiration.completed', event);
    await fixture.publishRaw('expiration.completed', event);
    const marker = envelope('expiration.completed', expirationCompleted());
    await fixture.publishRaw('expiration.completed', marker);
    await waitFor(async () => (await fixture.effects()).some((effect) => effect.event_id === marker.id));
    expect((await fixture.effects()).map((effect) => effect.event_id)).toEqual([event.id, marker.id]);
  });

  it('retries a handler that throws, rolling back its partial writes', async () => {
    const deliveries: number[] = [];
    await fixture.listen(
      defineListener<TestDatabase, 'expiration.completed'>(
        'expiration.completed',
        async (event, { trx, deliveryCount }) => {
          deliveries.push(deliveryCount);
          await trx
            .insertInto('effects')
            .values({ consumer: 'flaky', event_id: event.id, note: `try ${deliveryCount}` })
            .execute();
          if (deliveryCount < 3) throw new Error('transient failure');
        },
      ),
    );
    await fixture.publishRaw('expiration.completed', envelope('expiration.completed', expirationCompleted()));
    await waitFor(async () => (await fixture.effects()).length > 0);
    expect(deliveries).toEqual([1, 2, 3]);
    expect((await fixture.effects()).map((effect) => effect.note)).toEqual(['try 3']);
    expect(fixture.recorder.recorded.filter((event) => event.subject.startsWith('dlq.'))).toHaveLength(0);
  });

  it('sends an invalid message to dlq.<subject> with its reason and carries on', async () => {
    await fixture.listen(recordEffect);
    const invalid = envelope('expiration.completed', { orderId: 'not-a-uuid' });
    await fixture.publishRaw('expiration.completed', invalid);
    await fixture.publishRaw('expiration.completed', '{ not json');
    const valid = envelope('expiration.completed', expirationCompleted());
    await fixture.publishRaw('expiration.completed', valid);

    await waitFor(async () => (await fixture.effects()).length === 1);
    expect((await fixture.effects())[0]?.event_id).toBe(valid.id);
    const deadLetters = await waitFor(() => {
      const letters = fixture.recorder.recorded.filter(
        (event) => event.subject === 'dlq.expiration.completed',
      );
      return letters.length === 2 && letters;
    });
    expect(JSON.parse(deadLetters[0]?.body ?? '')).toEqual(invalid);
    expect(deadLetters[0]?.headers[DeadLetterHeaders.Reason]).toMatch(/orderId/);
    expect(deadLetters[0]?.headers[DeadLetterHeaders.Consumer]).toBe('test-expiration-completed');
    expect(deadLetters[1]?.headers[DeadLetterHeaders.Reason]).toMatch(/not valid JSON/);
    expect(deadLetters[0]?.headers.traceparent).toBeDefined();
  });

  it('sends a message that keeps failing to the DLQ after the configured deliveries', async () => {
    let attempts = 0;
    await fixture.listen(
      defineListener<TestDatabase, 'expiration.completed'>('expiration.completed', async () => {
        attempts += 1;
        throw new Error('database says no');
      }),
      { maxDeliveries: 3 },
    );
    await fixture.publishRaw('expiration.completed', envelope('expiration.completed', expirationCompleted()));
    const [letter] = await waitFor(() => {
      const letters = fixture.recorder.recorded.filter(
        (event) => event.subject === 'dlq.expiration.completed',
      );
      return letters.length > 0 && letters;
    });
    expect(letter?.headers[DeadLetterHeaders.Reason]).toBe('handler failed 3 times: database says no');
    expect(letter?.headers[DeadLetterHeaders.Deliveries]).toBe('3');
    expect(attempts).toBe(3);
  });

  it('waits out a database that refuses connections, however many deliveries that takes, and parks nothing', async () => {
    const metrics = new Registry();
    await fixture.listen(recordEffect, { maxDeliveries: 2, metrics, unavailableMaxDelayMs: 50 });
    const unavailableDeliveries = async () =>
      (await metrics.getSingleMetric('events_handled_total')?.get())?.values.find(
        (value) => value.labels.outcome === 'unavailable',
      )?.value ?? 0;

    await refuseConnections(fixture.infra.databaseUrl);
    const event = envelope('expiration.completed', expirationCompleted());
    await fixture.publishRaw('expiration.completed', event);
    // Far more deliveries than maxDeliveries, all failed by the outage.
    await waitFor(async () => (await unavailableDeliveries()) >= 6);
    await acceptConnections(fixture.infra.databaseUrl);

    await waitFor(async () => (await fixture.effects()).length === 1);
    expect((await fixture.effects())[0]?.event_id).toBe(event.id);
    expect(fixture.recorder.recorded.filter((recorded) => recorded.subject.startsWith('dlq.'))).toEqual([]);
  });

  it('never delivers a dead-lettered message again (nats-server 2.9 ignores a term with a reason)', async () => {
    const poison = envelope('expiration.completed', expirationCompleted());
    const attempts: string[] = [];
    const runner = await fixture.listen(
      defineListener<TestDatabase, 'expiration.completed'>('expiration.completed', async (event, context) => {
        attempts.push(event.id);
        if (event.id === poison.id) throw new Error('cannot handle this one');
        await recordEffect.handle(event, context);
      }),
      { maxDeliveries: 2, ackWaitMs: 1_000 },
    );
    await fixture.publishRaw('expiration.completed', poison);
    await waitFor(() =>
      fixture.recorder.recorded.some((recorded) => recorded.subject === 'dlq.expiration.completed'),
    );
    // A message the server still waits on an ack for would come back once the 1 s ack wait is over.
    const stream = fixture.bus.streamName('EXPIRATION');
    await waitFor(async () => {
      const info = await fixture.bus.jsm.consumers.info(stream, runner.durable);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    // Later events still flow, and the poisoned one was tried exactly as often as allowed.
    const later = envelope('expiration.completed', expirationCompleted());
    await fixture.publishRaw('expiration.completed', later);
    await waitFor(async () => (await fixture.effects()).length === 1);
    expect(attempts.filter((id) => id === poison.id)).toHaveLength(2);
  });

  it('applies version 3 after version 2 when it arrives first', async () => {
    await sql`create table replica (id uuid primary key, version int not null, titles text[] not null)`.execute(
      fixture.db,
    );
    await fixture.listen(
      defineListener<TestDatabase, 'tickets.updated'>(
        'tickets.updated',
        async (event, { trx, retryLater }) => {
          const db = trx.withTables<{ replica: { id: string; version: number; titles: string[] } }>();
          const held = await db
            .selectFrom('replica')
            .selectAll()
            .where('id', '=', event.data.id)
            .forUpdate()
            .executeTakeFirst();
          const order = versionOrder(held?.version ?? -1, event.data.version);
          if (order === 'stale') return;
          if (order === 'future') return retryLater(`holding ${held?.version ?? 'nothing'}`);
          await db
            .insertInto('replica')
            .values({ id: event.data.id, version: event.data.version, titles: [event.data.title] })
            .onConflict((conflict) =>
              conflict.column('id').doUpdateSet({
                version: event.data.version,
                titles: sql`replica.titles || ${[event.data.title]}::text[]`,
              }),
            )
            .execute();
        },
      ),
    );
    const id = randomUUID();
    const ticket = (version: number) =>
      envelope('tickets.updated', {
        id,
        version,
        title: `v${version}`,
        price: 1000,
        currency: 'usd',
        userId: 'alice',
      });
    await fixture.publishRaw('tickets.updated', ticket(0));
    await fixture.publishRaw('tickets.updated', ticket(1));
    await fixture.publishRaw('tickets.updated', ticket(3));
    await fixture.publishRaw('tickets.updated', ticket(2));
    const replica = await waitFor(async () => {
      const row = await fixture.db
        .withTables<{ replica: { id: string; version: number; titles: string[] } }>()
        .selectFrom('replica')
        .selectAll()
        .executeTakeFirst();
      return row?.version === 3 && row;
    });
    expect(replica.titles).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('finishes the messages in hand when stopped, and a replica sharing the consumer takes the rest', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineListener<TestDatabase, 'expiration.completed'>(
      'expiration.completed',
      async (event, { trx }) => {
        await gate;
        await trx.insertInto('effects').values({ consumer: 'first', event_id: event.id, note: '' }).execute();
      },
    );
    const first = await fixture.listen(slow, { concurrency: 2 });
    const events = Array.from({ length: 6 }, () => envelope('expiration.completed', expirationCompleted()));
    for (const event of events) await fixture.publishRaw('expiration.completed', event);
    const stopping = first.stop();
    release();
    await stopping;
    const handledBeforeStop = (await fixture.effects()).length;
    expect(handledBeforeStop).toBeGreaterThan(0);

    await fixture.listen(recordEffect);
    await waitFor(async () => (await fixture.effects()).length === events.length, { timeoutMs: 40_000 });
    const handled = (await fixture.effects()).map((effect) => effect.event_id).sort();
    expect(handled).toEqual(events.map((event) => event.id).sort());
  });
});
