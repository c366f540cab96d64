import { createTestInfrastructure, waitFor, type TestInfrastructure } from '@ticketing/testing';
import { signToken } from '@ticketing/service';
import request from 'supertest';
import { startLocalSystem, type LocalSystem } from '../../scripts/system/local-system';

/** The whole system as processes, on the test run's PostgreSQL and nats-server, driven through its entry point. */
export async function startSystem(env: Record<string, string> = {}, { client = false } = {}) {
  const infra: TestInfrastructure = await createTestInfrastructure();
  const databaseUrls = {
    orders: await infra.createDatabase(),
    payments: await infra.createDatabase(),
    expiration: await infra.createDatabase(),
  };
  const system: LocalSystem = await startLocalSystem({
    port: 0,
    env: {
      ORDERS_DATABASE_URL: databaseUrls.orders,
      PAYMENTS_DATABASE_URL: databaseUrls.payments,
      EXPIRATION_DATABASE_URL: databaseUrls.expiration,
      NATS_URL: infra.natsUrl,
      NATS_NAMESPACE: infra.namespace,
      LOG_LEVEL: 'warn',
      ...env,
    },
    client,
  });
  return {
    infra,
    system,
    databaseUrls,
    async stop() {
      await system.stop();
      await infra.dispose();
    },
  };
}

/** A user of the API: everything goes through the entry point, as a client's requests would. */
export class Client {
  private constructor(
    private readonly url: string,
    private readonly authorization: string,
  ) {}

  static async as(system: LocalSystem, user: string, { admin = false } = {}): Promise<Client> {
    return new Client(system.url, `Bearer ${await signToken(system.jwtKey, { sub: user, admin })}`);
  }

  get(path: string) {
    return request(this.url).get(path).set('Authorization', this.authorization);
  }

  post(path: string, body: object) {
    return request(this.url).post(path).set('Authorization', this.authorization).send(body);
  }

  delete(path: string) {
    return request(this.url).delete(path).set('Authorization', this.authorization);
  }

  async sellTicket(price = 2500): Promise<string> {
    const response = await this.post('/api/tickets', { title: 'End-to-end show', price }).expect(201);
    return response.body.id;
  }

  async order(ticketId: string): Promise<{ id: string; expiresAt: string }> {
    return (await this.post('/api/orders', { ticketId }).expect(201)).body;
  }

  /** Polls the order, as a client waiting for its payment to land would. */
  async waitForOrder(orderId: string, status: string, timeoutMs = 15_000) {
    return waitFor(
      async () => {
        const order = (await this.get(`/api/orders/${orderId}`).expect(200)).body;
        return order.status === status && order;
      },
      { timeoutMs, description: `order ${orderId} to be ${status}` },
    );
  }

  /** Pays once the payments service has heard of the order (the event may still be on its way). */
  payWhenKnown(orderId: string, payment: object) {
    return waitFor(
      async () => {
        const response = await this.post('/api/payments', { orderId, ...payment });
        return response.status !== 404 && response;
      },
      { description: `payments to know order ${orderId}` },
    );
  }
}
