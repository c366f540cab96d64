import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { natsServerBinary } from './system-binary';
import { waitFor } from './wait-for';

export interface NatsServerOptions {
  /** Keep JetStream's store here across runs (npm start); by default a temp dir removed on stop. */
  storeDir?: string;
  port?: number;
  /** Require this user and password of every client, as production's nats.conf does per service. */
  credentials?: { user: string; password: string };
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A nats-server with JetStream, started from the system binary on 127.0.0.1: the real server, so that
 * dedup, redelivery and consumers behave as in production. `kill` and `restart` make outages on demand.
 *
 * @example
 * const nats = await NatsServer.start();
 * const bus = await Bus.connect({ url: nats.url, name: 'test' });
 * await nats.kill(); // the bus is away: the outbox keeps the events
 * await nats.restart();
 * await bus.close();
 * await nats.stop();
 */
export class NatsServer {
  private stopped = false;
  private child: ChildProcess | undefined;
  private readonly exitHook = () => this.child?.kill('SIGKILL');

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    private readonly temporary: boolean,
    private readonly credentials?: { user: string; password: string },
  ) {
    process.once('exit', this.exitHook);
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const temporary = !options.storeDir;
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'ticketing-nats-'));
    mkdirSync(storeDir, { recursive: true });
    const server = new NatsServer(
      options.port ?? (await freePort()),
      storeDir,
      temporary,
      options.credentials,
    );
    try {
      await server.run();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server's process id, for benchmarks that account for its CPU. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills the server as a crash would, keeping its store; restart() brings it back. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** Starts the server again (killing it first if it runs) on the same port and store. */
  async restart(): Promise<void> {
    await this.kill();
    await this.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.exitHook);
    await this.end('SIGTERM');
    if (this.temporary) rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    const child = spawn(
      natsServerBinary(),
      [
        ...['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
        ...(this.credentials ? ['--user', this.credentials.user, '--pass', this.credentials.password] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    try {
      await waitFor(async () => child.exitCode === null && (await acceptsConnections(this.port)), {
        timeoutMs: 15_000,
        description: `nats-server on port ${this.port}`,
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
