import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The oldest server the bus is written for. It relies on: message dedup by Nats-Msg-Id, durable pull
 * consumers with `fetch`, `nak` with a delay, a plain `term`, and updating a consumer's ack wait and
 * max ack pending in place. Features of later servers are not used: `filter_subjects` (2.10), a `term`
 * with a reason (ignored by 2.9, which then redelivers the message), per-message TTL and schedules.
 *
 * @example
 * console.log(`this subscriber needs nats-server ${MINIMUM_SERVER_VERSION} or later, with -js`);
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

/**
 * The server will never carry the bus: waiting for it is pointless, unlike waiting for one that is down.
 *
 * @example
 * async function connectWhenUp(options: BusOptions): Promise<Bus> {
 *   for (;;) {
 *     try {
 *       return await Bus.connect(options);
 *     } catch (error) {
 *       if (error instanceof UnsupportedServerError) throw error; // waiting will not help
 *       await new Promise((resolve) => setTimeout(resolve, 1_000)); // down or restarting: try again
 *     }
 *   }
 * }
 */
export class UnsupportedServerError extends Error {
  override readonly name = 'UnsupportedServerError';
}

/**
 * Why a nats-server of `version` cannot carry the bus, or undefined when it can.
 *
 * @example
 * unsupportedServerReason('2.8.4'); // 'nats-server 2.8.4 is too old: the bus needs 2.9.0 or later'
 */
export function unsupportedServerReason(version: string | undefined): string | undefined {
  if (version === undefined || !/^v?\d+\.\d+\.\d+/.test(version)) {
    return `nats-server did not report a version the bus can check (${version ?? 'none'})`;
  }
  if (compareVersions(version, MINIMUM_SERVER_VERSION) < 0) {
    return `nats-server ${version} is too old: the bus needs ${MINIMUM_SERVER_VERSION} or later`;
  }
  return undefined;
}

/** Fails start-up, loudly and with the fix, when the server cannot carry the bus. */
export async function assertServerSupportsBus(
  connection: NatsConnection,
  url: string,
): Promise<JetStreamManager> {
  const unsupported = unsupportedServerReason(connection.info?.version);
  if (unsupported) throw new UnsupportedServerError(`${unsupported} (at ${url})`);
  try {
    return await jetstreamManager(connection, { checkAPI: true });
  } catch (error) {
    throw new Error(
      `JetStream is not available at ${url} (${(error as Error).message}): start nats-server with -js`,
      { cause: error },
    );
  }
}
