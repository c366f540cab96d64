import { randomUUID } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { sql, type Generated, type Kysely } from 'kysely';
import {
  Bus,
  createDatabase,
  defineListener,
  ListenerRunner,
  OutboxRelay,
  provisionStreams,
  type AnyEventListener,
  type ListenerRunnerOptions,
  type OutboxRelayOptions,
} from '@ticketing/bus';
import { migrateToLatest, type CommonTables } from '@ticketing/service';
import { type EventData, type EventEnvelope, type Subject } from '@ticketing/contracts';
import {
  createTestInfrastructure,
  EventRecorder,
  silentLogger,
  type TestInfrastructure,
} from '@ticketing/testing';

export interface EffectsTable {
  id: Generated<number>;
  consumer: string;
  event_id: string;
  note: string;
}

export interface TestDatabase extends CommonTables {
  effects: EffectsTable;
}

const effectsMigration = {
  '0001_effects': {
    async up(db: Kysely<unknown>) {
      await sql`create table effects (id serial primary key, consumer text not null, event_id uuid not null, note text not null)`.execute(
        db,
      );
    },
  },
};

/** A database with the bus's tables, a namespaced bus with its streams, and runners that stop on dispose. */
export class BusFixture {
  private readonly stoppers: Array<() => Promise<void>> = [];

  private constructor(
    readonly infra: TestInfrastructure,
    readonly db: Kysely<TestDatabase>,
    readonly bus: Bus,
    readonly recorder: EventRecorder,
  ) {}

  static async create(): Promise<BusFixture> {
    const infra = await createTestInfrastructure();
    const db = createDatabase<TestDatabase>({ connectionString: infra.databaseUrl, maxConnections: 20 });
    await migrateToLatest(db as unknown as Kysely<unknown>, effectsMigration);
    const bus = await Bus.connect({ url: infra.natsUrl, name: 'test', namespace: infra.namespace });
    await provisionStreams(bus, { storage: 'memory' });
    const recorder = await EventRecorder.start(bus, ['TICKETS', 'ORDERS', 'PAYMENTS', 'EXPIRATION', 'DLQ']);
    return new BusFixture(infra, db, bus, recorder);
  }

  async relay(options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
    const relay = new OutboxRelay({
      connectionString: this.infra.databaseUrl,
      bus: this.bus,
      logger: silentLogger,
      ...options,
    });
    await relay.start();
    this.stoppers.push(() => relay.stop());
    return relay;
  }

  async listen(
    listener: AnyEventListener<TestDatabase>,
    options: Partial<ListenerRunnerOptions<TestDatabase>> = {},
  ): Promise<ListenerRunner<TestDatabase>> {
    const runner = new ListenerRunner({
      service: 'test',
      listener,
      db: this.db,
      bus: this.bus,
      logger: silentLogger,
      retryBaseDelayMs: 20,
      ...options,
    });
    await runner.start();
    this.stoppers.push(() => runner.stop());
    return runner;
  }

  /** Publishes straight to JetStream, bypassing the outbox: for messages the outbox would never send. */
  async publishRaw(subject: string, body: unknown, msgID: string = randomUUID()): Promise<void> {
    const headers = natsHeaders();
    headers.set('traceparent', `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`);
    await this.bus.js.publish(
      this.bus.wireSubject(subject),
      typeof body === 'string' ? body : JSON.stringify(body),
      {
        msgID,
        headers,
      },
    );
  }

  effects(consumer?: string) {
    let query = this.db.selectFrom('effects').selectAll().orderBy('id');
    if (consumer) query = query.where('consumer', '=', consumer);
    return query.execute();
  }

  async dispose(): Promise<void> {
    for (const stop of this.stoppers.reverse()) await stop();
    await this.recorder.stop();
    await this.bus.close();
    await this.db.destroy();
    await this.infra.dispose();
  }
}

export function envelope<S extends Subject>(subject: S, data: EventData<S>): EventEnvelope<S> {
  return { id: randomUUID(), subject, occurredAt: new Date().toISOString(), data };
}

/** A listener whose only effect is a row in `effects`: what the delivery tests count. */
export const recordEffect = defineListener<TestDatabase, 'expiration.completed'>(
  'expiration.completed',
  async (event, { trx }) => {
    await trx
      .insertInto('effects')
      .values({ consumer: 'recorder', event_id: event.id, note: event.data.orderId })
      .execute();
  },
);

export function expirationCompleted(): EventData<'expiration.completed'> {
  return { orderId: randomUUID() };
}
