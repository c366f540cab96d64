import { randomUUID } from 'node:crypto';
import { type EventData, type EventEnvelope, type Subject } from '@ticketing/contracts';
import { Bus, createLogger, provisionStreams } from '@ticketing/bus';
import { startService, type RunningService } from '@ticketing/service';
import {
  createTestInfrastructure,
  EventRecorder,
  TEST_JWT_KEY,
  type TestInfrastructure,
} from '@ticketing/testing';
import type { ExpirationConfig } from '../src/config';
import type { ExpirationDatabase } from '../src/database/schema';
import { expirationService } from '../src/service';

export type ExpirationReplica = RunningService<ExpirationDatabase, ExpirationConfig>;

/**
 * One database and bus namespace on which expiration replicas are started, stopped and restarted, with a
 * bus connection of the test's own to publish order events and record what the replicas publish.
 */
export class ExpirationHarness {
  private readonly replicas = new Set<ExpirationReplica>();

  private constructor(
    readonly infra: TestInfrastructure,
    private readonly bus: Bus,
    readonly recorder: EventRecorder,
  ) {}

  static async create(): Promise<ExpirationHarness> {
    const infra = await createTestInfrastructure();
    const bus = await Bus.connect({
      url: infra.natsUrl,
      name: 'expiration-test',
      namespace: infra.namespace,
    });
    await provisionStreams(bus);
    const recorder = await EventRecorder.start(bus, ['EXPIRATION']);
    return new ExpirationHarness(infra, bus, recorder);
  }

  async startReplica(): Promise<ExpirationReplica> {
    const replica = await startService(
      expirationService,
      {
        DATABASE_URL: this.infra.databaseUrl,
        NATS_URL: this.infra.natsUrl,
        NATS_NAMESPACE: this.infra.namespace,
        JWT_KEY: TEST_JWT_KEY,
        PORT: '0',
      },
      createLogger('expiration', 'silent'),
    );
    this.replicas.add(replica);
    return replica;
  }

  async stopReplica(replica: ExpirationReplica): Promise<void> {
    this.replicas.delete(replica);
    await replica.stop();
  }

  /** Publishes as the orders service would; the same envelope twice reaches the consumer as a redelivery. */
  async publish<S extends Subject>(
    subject: S,
    data: EventData<S>,
    envelope: EventEnvelope<S> = { id: randomUUID(), subject, occurredAt: new Date().toISOString(), data },
  ): Promise<EventEnvelope<S>> {
    await this.bus.js.publish(this.bus.wireSubject(subject), JSON.stringify(envelope), {
      msgID: randomUUID(),
    });
    return envelope;
  }

  publishOrderCreated(
    expiresAt: Date,
    orderId: EventData<'orders.created'>['id'] = randomUUID(),
  ): Promise<EventEnvelope<'orders.created'>> {
    return this.publish('orders.created', {
      id: orderId,
      version: 0,
      status: 'created',
      userId: 'buyer',
      expiresAt: expiresAt.toISOString(),
      ticket: { id: randomUUID(), price: 2500, currency: 'usd' },
    });
  }

  /** expiration.completed events published so far for `orderId`. */
  firedFor(orderId: string): EventEnvelope<'expiration.completed'>[] {
    return this.recorder.events('expiration.completed').filter((event) => event.data.orderId === orderId);
  }

  async isPending(replica: ExpirationReplica, orderId: string): Promise<boolean> {
    const row = await replica.db
      .selectFrom('pending_expirations')
      .select('order_id')
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async dispose(): Promise<void> {
    for (const replica of this.replicas) await this.stopReplica(replica);
    await this.recorder.stop();
    await this.bus.close();
    await this.infra.dispose();
  }
}

export function secondsFromNow(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}
