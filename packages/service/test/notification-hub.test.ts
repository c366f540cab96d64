import pg from 'pg';
import { createLogger, DependencyUnavailableError } from '@ticketing/bus';
import { NotificationHub } from '@ticketing/service';
import { createTestInfrastructure, waitFor, type TestInfrastructure } from '@ticketing/testing';

/** Counts what one subscriber is told. */
function recorder() {
  const told = { changed: 0, closed: 0 };
  return { told, subscriber: { changed: () => (told.changed += 1), closed: () => (told.closed += 1) } };
}

describe('NotificationHub', () => {
  let infra: TestInfrastructure;
  let admin: pg.Client;
  let hub: NotificationHub;

  const notify = (channel: string, key: string) => admin.query('select pg_notify($1, $2)', [channel, key]);
  const hubBackends = async () =>
    (
      await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'notification-hub' and datname = current_database()`,
      )
    ).rows.map((row) => row.pid);

  beforeAll(async () => {
    infra = await createTestInfrastructure();
    admin = new pg.Client({ connectionString: infra.databaseUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
    await infra.dispose();
  });

  beforeEach(() => {
    hub = new NotificationHub({
      connectionString: infra.databaseUrl,
      logger: createLogger('test', 'silent'),
      reconnectBaseDelayMs: 10,
    });
  });

  afterEach(async () => {
    await hub.close();
  });

  it('tells the subscribers of a (channel, key) about its notifications, and nobody else', async () => {
    const a = recorder();
    const b = recorder();
    const otherChannel = recorder();
    const unsubscribeA = await hub.subscribe('thing_changed', 'a', a.subscriber);
    await hub.subscribe('thing_changed', 'b', b.subscriber);
    await hub.subscribe('other_changed', 'a', otherChannel.subscriber);
    // Connecting tells everyone to read once: whatever happened before the LISTEN is not missed.
    await waitFor(() => a.told.changed === 1 && b.told.changed === 1 && otherChannel.told.changed === 1);

    await notify('thing_changed', 'a');
    await notify('thing_changed', 'b');
    await waitFor(() => a.told.changed === 2 && b.told.changed === 2);
    expect(otherChannel.told.changed).toBe(1);

    unsubscribeA();
    await notify('thing_changed', 'a');
    await notify('thing_changed', 'b');
    await waitFor(() => b.told.changed === 3);
    expect(a.told.changed).toBe(2);
    expect(await hubBackends()).toHaveLength(1);
  });

  it('reconnects when its connection is killed, and then tells every subscriber to re-read', async () => {
    const a = recorder();
    await hub.subscribe('thing_changed', 'a', a.subscriber);
    await waitFor(() => a.told.changed === 1);
    const [pid] = await hubBackends();
    await admin.query('select pg_terminate_backend($1)', [pid]);

    await waitFor(() => a.told.changed === 2, { description: 'the re-read after reconnecting' });
    const [newPid] = await waitFor(async () => {
      const pids = await hubBackends();
      return pids.length === 1 && pids;
    });
    expect(newPid).not.toBe(pid);
    await notify('thing_changed', 'a');
    await waitFor(() => a.told.changed === 3, { description: 'a notification on the new connection' });
  });

  it('tells every subscriber when it closes, and refuses new ones with a 503', async () => {
    const a = recorder();
    await hub.subscribe('thing_changed', 'a', a.subscriber);
    await hub.close();
    expect(a.told.closed).toBe(1);
    await expect(hub.subscribe('thing_changed', 'a', a.subscriber)).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    await waitFor(async () => (await hubBackends()).length === 0);
  });
});
