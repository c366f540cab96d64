import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The oldest server the bus is written for: message dedup by Nats-Msg-Id, durable pull consumers,
 * nak with delay. Features of later servers (filter_subjects, per-message TTL, schedules) are not used.
 */
export const MINIMUM_SERVER_VERSION = '2.9.0';

function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Fails start-up, loudly and with the fix, when the server cannot carry the bus. */
export async function assertServerSupportsBus(
  connection: NatsConnection,
  url: string,
): Promise<JetStreamManager> {
  const version = connection.info?.version ?? '0.0.0';
  if (compareVersions(version, MINIMUM_SERVER_VERSION) < 0) {
    throw new Error(
      `nats-server ${version} at ${url} is too old: the bus needs ${MINIMUM_SERVER_VERSION} or later`,
    );
  }
  try {
    return await jetstreamManager(connection, { checkAPI: true });
  } catch (error) {
    throw new Error(
      `JetStream is not available at ${url} (${(error as Error).message}): start nats-server with -js`,
      { cause: error },
    );
  }
}
