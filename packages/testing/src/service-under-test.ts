import { randomUUID } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { createLogger, outgoingTraceparent } from '@ticketing/bus';
import {
  eventStreams,
  type EventData,
  type EventEnvelope,
  type StreamName,
  type Subject,
} from '@ticketing/contracts';
import {
  signToken,
  startService,
  type CommonTables,
  type RunningService,
  type ServiceConfig,
  type ServiceDefinition,
} from '@ticketing/service';
import { EventRecorder } from './event-recorder';
import { createTestInfrastructure, type TestInfrastructure } from './test-infrastructure';

/**
 * The JWT_KEY a `ServiceUnderTest` is started with: sign tokens for it with `signToken`.
 *
 * @example
 * const token = await signToken(TEST_JWT_KEY, { sub: 'alice' });
 */
export const TEST_JWT_KEY = 'test-only-jwt-key-0123456789abcdef';

/**
 * A service started for real (its own database, a private bus namespace, HTTP on a free port) with a
 * recorder reading back every stream, and helpers to sign tokens and publish events to it.
 *
 * @example
 * const orders = await ServiceUnderTest.start(ordersService);
 * const created = await request(orders.url)
 *   .post('/api/tickets')
 *   .set('Authorization', await orders.bearer('alice'))
 *   .send({ title: 'Concert', price: 2500, currency: 'usd' })
 *   .expect(201);
 * await orders.recorder.waitFor('tickets.created', (data) => data.id === created.body.id);
 * await orders.stop();
 */
export class ServiceUnderTest<DB extends CommonTables, Config extends ServiceConfig> {
  private constructor(
    readonly infra: TestInfrastructure,
    readonly service: RunningService<DB, Config>,
    readonly recorder: EventRecorder,
  ) {}

  static async start<DB extends CommonTables, Config extends ServiceConfig>(
    definition: ServiceDefinition<DB, Config>,
    env: Record<string, string> = {},
  ): Promise<ServiceUnderTest<DB, Config>> {
    const infra = await createTestInfrastructure();
    const service = await startService(
      definition,
      {
        DATABASE_URL: infra.databaseUrl,
        NATS_URL: infra.natsUrl,
        NATS_NAMESPACE: infra.namespace,
        JWT_KEY: TEST_JWT_KEY,
        PORT: '0',
        ...env,
      },
      // TEST_LOG_LEVEL=error shows what a failing test's service logged.
      createLogger(definition.name, env.LOG_LEVEL ?? process.env.TEST_LOG_LEVEL ?? 'silent'),
    );
    const recorder = await EventRecorder.start(service.bus, Object.keys(eventStreams) as StreamName[]);
    return new ServiceUnderTest(infra, service, recorder);
  }

  get url(): string {
    return this.service.url;
  }

  get db() {
    return this.service.db;
  }

  /** `Bearer <token>` for the user: pass to supertest's `.set('Authorization', ...)`. */
  async bearer(sub: string, options: { admin?: boolean } = {}): Promise<string> {
    return `Bearer ${await signToken(TEST_JWT_KEY, { sub, admin: options.admin })}`;
  }

  /** Publishes an event to the service as another service would; the same envelope twice is a duplicate. */
  async publish<S extends Subject>(
    subject: S,
    data: EventData<S>,
    envelope?: EventEnvelope<S>,
  ): Promise<EventEnvelope<S>> {
    const event = envelope ?? { id: randomUUID(), subject, occurredAt: new Date().toISOString(), data };
    const headers = natsHeaders();
    headers.set('traceparent', outgoingTraceparent());
    // A fresh message id, so that a repeated envelope reaches the consumer the way a redelivery does.
    await this.service.bus.js.publish(this.service.bus.wireSubject(subject), JSON.stringify(event), {
      msgID: randomUUID(),
      headers,
    });
    return event;
  }

  async stop(): Promise<void> {
    await this.recorder.stop();
    await this.service.stop();
    await this.infra.dispose();
  }
}
