import { sql } from 'kysely';
import { enqueue } from '@ticketing/bus';
import { type EventEnvelope } from '@ticketing/contracts';
import { waitFor } from '@ticketing/testing';
import { BusFixture, expirationCompleted, recordEffect } from './bus-fixture';

describe('transactional outbox', () => {
  let fixture: BusFixture;

  beforeEach(async () => {
    fixture = await BusFixture.create();
  });

  afterEach(async () => {
    await fixture.dispose();
  });

  it('publishes an event only when its transaction commits', async () => {
    await fixture.relay();
    const rolledBack = expirationCompleted();
    await fixture.db
      .transaction()
      .execute(async (trx) => {
        await enqueue(trx, 'expiration.completed', rolledBack);
        throw new Error('abort');
      })
      .catch(() => undefined);
    const committed = expirationCompleted();
    await fixture.db.transaction().execute((trx) => enqueue(trx, 'expiration.completed', committed));

    const published = await fixture.recorder.waitFor(
      'expiration.completed',
      (data) => data.orderId === committed.orderId,
    );
    expect(published.subject).toBe('expiration.completed');
    // The committed event went out after the rolled-back one would have; the stream is ordered, so the
    // rolled-back one is not merely late.
    expect(fixture.recorder.events('expiration.completed').map((event) => event.data.orderId)).toEqual([
      committed.orderId,
    ]);
    const row = await fixture.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.event_id).toBe(published.id);
    expect(row.sent_at).toBeInstanceOf(Date);
  });

  it('carries the trace context of the transaction that enqueued the event', async () => {
    await fixture.relay();
    await fixture.db
      .transaction()
      .execute((trx) => enqueue(trx, 'expiration.completed', expirationCompleted()));
    await waitFor(() => fixture.recorder.recorded.length === 1);
    expect(fixture.recorder.recorded[0]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(fixture.recorder.recorded[0]?.headers['Nats-Msg-Id']).toBe(
      fixture.recorder.events('expiration.completed')[0]?.id,
    );
  });

  it('rejects, at enqueue, a payload that breaks the contract', async () => {
    const attempt = fixture.db
      .transaction()
      .execute((trx) => enqueue(trx, 'expiration.completed', { orderId: 'not-a-uuid' }));
    await expect(attempt).rejects.toThrow(/orderId/);
    expect(await fixture.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0);
  });

  it('does not deliver twice when a relay dies after publishing but before marking the row sent', async () => {
    const data = expirationCompleted();
    const event = await fixture.db.transaction().execute((trx) => enqueue(trx, 'expiration.completed', data));
    // What a relay that died between the PubAck and its commit leaves: the message is on the stream, the row
    // is still unsent.
    await fixture.publishRaw('expiration.completed', event, event.id);
    await fixture.listen(recordEffect);
    await waitFor(async () => (await fixture.effects()).length === 1);

    await fixture.relay();
    await waitFor(async () => {
      const row = await fixture.db.selectFrom('outbox').select('sent_at').executeTakeFirstOrThrow();
      return row.sent_at !== null;
    });
    const stream = await fixture.bus.jsm.streams.info(fixture.bus.streamName('EXPIRATION'));
    expect(stream.state.messages).toBe(1);
    // Give a second copy every chance to arrive: wait for a later event to be handled.
    const later = expirationCompleted();
    await fixture.db.transaction().execute((trx) => enqueue(trx, 'expiration.completed', later));
    await waitFor(async () => (await fixture.effects()).length === 2);
    expect((await fixture.effects()).map((effect) => effect.note)).toEqual([data.orderId, later.orderId]);
  });

  it('with two relays on one outbox, delivers every event to the handler exactly once', async () => {
    await fixture.listen(recordEffect, { concurrency: 32 });
    await Promise.all([fixture.relay({ batchSize: 50 }), fixture.relay({ batchSize: 50 })]);
    const total = 1000;
    const writers = Array.from({ length: 10 }, async () => {
      for (let i = 0; i < total / 10 / 5; i++) {
        await fixture.db.transaction().execute(async (trx) => {
          for (let j = 0; j < 5; j++) await enqueue(trx, 'expiration.completed', expirationCompleted());
        });
      }
    });
    await Promise.all(writers);
    await waitFor(async () => (await fixture.effects()).length >= total, { timeoutMs: 30_000 });
    const effects = await fixture.effects();
    expect(effects).toHaveLength(total);
    expect(new Set(effects.map((effect) => effect.event_id)).size).toBe(total);
    const stream = await fixture.bus.jsm.streams.info(fixture.bus.streamName('EXPIRATION'));
    expect(stream.state.messages).toBe(total);
    const unsent = await fixture.db
      .selectFrom('outbox')
      .select(sql<number>`count(*)::int`.as('count'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(unsent.count).toBe(0);
  });

  it('retries a publish that failed and keeps the row until it succeeds', async () => {
    // A subject no stream covers: the server refuses it, as when a stream is missing.
    await fixture.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('outbox')
        .values({
          event_id: '00000000-0000-4000-8000-000000000001',
          subject: 'nowhere.created',
          envelope: JSON.stringify({}),
          headers: JSON.stringify({}),
        })
        .execute();
    });
    await fixture.relay({ retryBaseDelayMs: 10, pollIntervalMs: 50 });
    const row = await waitFor(async () => {
      const current = await fixture.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
      return current.attempts >= 2 && current;
    });
    expect(row.sent_at).toBeNull();
    expect(row.last_error).toBeTruthy();
  });

  it('carries on when its database connections are cut', async () => {
    await fixture.relay();
    const before = expirationCompleted();
    await fixture.db.transaction().execute((trx) => enqueue(trx, 'expiration.completed', before));
    await fixture.recorder.waitFor('expiration.completed', (data) => data.orderId === before.orderId);
    const { rows } = await sql<{ cut: boolean }>`
      select pg_terminate_backend(pid) as cut from pg_stat_activity where application_name = 'outbox-relay'`.execute(
      fixture.db,
    );
    expect(rows.length).toBeGreaterThan(0);
    const after = expirationCompleted();
    await fixture.db.transaction().execute((trx) => enqueue(trx, 'expiration.completed', after));
    await fixture.recorder.waitFor('expiration.completed', (data) => data.orderId === after.orderId);
  });

  it('publishes rows committed while no relay was running when one starts', async () => {
    const events: EventEnvelope<'expiration.completed'>[] = [];
    for (let i = 0; i < 3; i++) {
      events.push(
        await fixture.db
          .transaction()
          .execute((trx) => enqueue(trx, 'expiration.completed', expirationCompleted())),
      );
    }
    await fixture.relay();
    await waitFor(() => fixture.recorder.events('expiration.completed').length === 3);
    expect(fixture.recorder.events('expiration.completed').map((event) => event.id)).toEqual(
      events.map((event) => event.id),
    );
  });
});
