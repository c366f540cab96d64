import { randomUUID } from 'node:crypto';
import { headers } from '@nats-io/transport-node';
import { PubAckPublisher } from '../src/outbox/pub-ack-publisher';
import { BusFixture } from './bus-fixture';

describe('PubAckPublisher', () => {
  let fixture: BusFixture;

  beforeEach(async () => {
    fixture = await BusFixture.create();
  });

  afterEach(async () => {
    await fixture.dispose();
  });

  it('settles each message with its PubAck, deduplicates by msgID, and fails a subject without a stream', async () => {
    const publisher = new PubAckPublisher(fixture.bus.connection, 2_000);
    const id = randomUUID();
    const message = (subject: string, msgID: string) => ({
      subject: fixture.bus.wireSubject(subject),
      data: '{}',
      headers: headers(),
      msgID,
    });
    const outcomes = await publisher.publishBatch([
      message('expiration.completed', id),
      message('expiration.completed', id),
      message('nowhere.at-all', randomUUID()),
      message('expiration.completed', randomUUID()),
    ]);
    publisher.close();
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const [first, second, , fourth] = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value : undefined,
    );
    expect(first?.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(fourth?.seq).toBe((first?.seq ?? 0) + 1);
    expect(fourth?.stream).toBe(first?.stream);
  });
});
