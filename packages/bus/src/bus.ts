import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventStreams, type StreamName } from '@ticketing/contracts';
import { assertServerSupportsBus } from './server-requirements';

export interface BusOptions {
  url: string;
  /** Shown in the server's connection list. */
  name: string;
  /**
   * Isolates several systems (or test files) on one server: subjects become `<namespace>.<subject>` and
   * streams `<NAMESPACE>_<STREAM>`. Empty in a normal deployment.
   */
  namespace?: string;
  /** The service's NATS user and password, where the server requires them (production's nats.conf). */
  credentials?: { user: string; password: string };
}

/**
 * A connection to NATS with JetStream, and the mapping from contract subjects to wire subjects. One per
 * process: the relay, the listeners and the readiness probe share it.
 *
 * @example
 * const bus = await Bus.connect({ url: 'nats://127.0.0.1:4222', name: 'receipts' });
 * await provisionStreams(bus);
 * // ... run listeners on it ...
 * await bus.close();
 */
export class Bus {
  /** False from a disconnect until the client has reconnected (it keeps trying without limit). */
  private reachable = true;

  private constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly namespace: string,
  ) {
    void this.watchConnection();
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') this.reachable = false;
      else if (status.type === 'reconnect') this.reachable = true;
    }
  }

  /**
   * Connects, and after that reconnects without limit: a bus that goes away is waited for, not given up
   * on. Fails at once, though, on a server that can never carry the bus (too old, or without JetStream).
   *
   * @example
   * const bus = await Bus.connect({
   *   url: 'nats://nats:4222',
   *   name: 'receipts',
   *   credentials: { user: 'receipts', password: natsPassword },
   * });
   */
  static async connect({ url, name, namespace = '', credentials }: BusOptions): Promise<Bus> {
    if (namespace && !/^[a-z0-9_-]+$/i.test(namespace)) {
      throw new Error(`Bus namespace "${namespace}" may only hold letters, digits, "_" and "-"`);
    }
    const connection = await connect({
      servers: url,
      name,
      ...(credentials && { user: credentials.user, pass: credentials.password }),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Otherwise the client builds an Error, stack and all, for every publish in case it times out:
      // a tenth of the relay's CPU.
      noAsyncTraces: true,
    });
    try {
      const jsm = await assertServerSupportsBus(connection, url);
      return new Bus(connection, jetstream(connection), jsm, namespace);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /**
   * The subject as published on the server: the contract's subject in this bus's namespace.
   *
   * @example
   * bus.wireSubject('orders.created'); // 'orders.created', or 't1a2b3c.orders.created' in namespace t1a2b3c
   */
  wireSubject(subject: string): string {
    return this.namespace ? `${this.namespace}.${subject}` : subject;
  }

  /**
   * The stream's name on the server, for JetStream calls the bus does not wrap.
   *
   * @example
   * await bus.jsm.streams.info(bus.streamName('ORDERS'));
   */
  streamName(stream: StreamName): string {
    return this.namespace ? `${this.namespace.toUpperCase().replaceAll('-', '_')}_${stream}` : stream;
  }

  /** The wire subjects a stream takes: all of its service's subjects, in this bus's namespace. */
  streamSubjects(stream: StreamName): string[] {
    return [this.wireSubject(`${eventStreams[stream]}.>`)];
  }

  /** Connected to a server now: false while the client reconnects after losing it, and once closed. */
  get isConnected(): boolean {
    return this.reachable && !this.connection.isClosed();
  }

  /** Round trip to the server: used by readiness probes. */
  async ping(): Promise<void> {
    await this.connection.flush();
  }

  /** Drains the connection (what is in flight is delivered first) and closes it; once closed, a no-op. */
  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain();
  }
}
