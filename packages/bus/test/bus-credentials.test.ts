import { Bus } from '@ticketing/bus';
import { NatsServer } from '@ticketing/testing';

/** Production's nats.conf gives each service a user: the bus logs in with NATS_USER and NATS_PASSWORD. */
describe('a bus on a server that requires a login', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await NatsServer.start({ credentials: { user: 'orders', password: 'orders-secret' } });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('connects with the service’s credentials', async () => {
    const bus = await Bus.connect({
      url: server.url,
      name: 'orders',
      credentials: { user: 'orders', password: 'orders-secret' },
    });
    expect(bus.isConnected).toBe(true);
    await bus.close();
  });

  it('is refused without them, or with a wrong password', async () => {
    await expect(Bus.connect({ url: server.url, name: 'anonymous' })).rejects.toThrow(/auth/i);
    await expect(
      Bus.connect({ url: server.url, name: 'orders', credentials: { user: 'orders', password: 'wrong' } }),
    ).rejects.toThrow(/auth/i);
  });
});
