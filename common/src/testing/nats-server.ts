import { spawn, type ChildProcess } from 'node:child_process';
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
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A nats-server with JetStream, started from the system binary on 127.0.0.1. */
export class NatsServer {
  private stopped = false;
  private readonly exitHook = () => this.process.kill('SIGKILL');

  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
    private readonly storeDir: string,
    private readonly temporary: boolean,
  ) {
    globalThis.process.once('exit', this.exitHook);
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const temporary = !options.storeDir;
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'ticketing-nats-'));
    mkdirSync(storeDir, { recursive: true });
    const port = options.port ?? (await freePort());
    const child = spawn(natsServerBinary(), ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const server = new NatsServer(port, child, storeDir, temporary);
    try {
      await waitFor(async () => child.exitCode === null && (await acceptsConnections(port)), {
        timeoutMs: 15_000,
        description: `nats-server on port ${port}`,
      });
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server's process id, for benchmarks that account for its CPU. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    globalThis.process.removeListener('exit', this.exitHook);
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    if (this.temporary) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
