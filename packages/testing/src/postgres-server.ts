import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { postgresBinDir } from './system-binary';

const run = promisify(execFile);

export interface PostgresServerOptions {
  /** Keep the cluster here across runs (npm start); by default a temp dir removed on stop. */
  dataDir?: string;
  port?: number;
  /** fsync off: fast, and fine for tests and benchmarks whose data is disposable. */
  durable?: boolean;
}

/** The uid/gid PostgreSQL runs as: initdb refuses root, so as root the server runs as `postgres`. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid, name: 'postgres' };
}

/**
 * A private PostgreSQL cluster started from the system binaries (initdb, pg_ctl), listening on
 * 127.0.0.1 only, with trust authentication for the `postgres` superuser. Most tests want
 * `createTestInfrastructure` instead, which shares one cluster per run.
 *
 * @example
 * const postgres = await PostgresServer.start();
 * const db = createDatabase<ReceiptsDatabase>({ connectionString: postgres.url() });
 * await postgres.stopImmediately(); // a crash: the next query fails as unavailable
 * await postgres.restart();
 * await db.destroy();
 * await postgres.stop();
 */
export class PostgresServer {
  private stopped = false;
  private readonly exitHook = () => this.stopSync();

  private constructor(
    readonly port: number,
    private readonly root: string,
    private readonly dataDir: string,
    private readonly temporary: boolean,
    private readonly user: ReturnType<typeof serverUser>,
    /** The server's settings (`pg_ctl -o`), the same on every start. */
    private readonly settings: string,
  ) {
    process.once('exit', this.exitHook);
  }

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const user = serverUser();
    const temporary = !options.dataDir;
    const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ticketing-pg-'));
    const dataDir = join(root, 'data');
    const socketDir = join(root, 'socket');
    mkdirSync(socketDir, { recursive: true });
    if (user) {
      chownSync(root, user.uid, user.gid);
      chownSync(socketDir, user.uid, user.gid);
    }
    const port = options.port ?? (await freePort());
    const settings = [
      `-p ${port}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=300',
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    const server = new PostgresServer(port, root, dataDir, temporary, user, settings);
    try {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) {
        await server.pg('initdb', [
          '-D',
          dataDir,
          '-U',
          'postgres',
          '--auth=trust',
          '--no-sync',
          '-E',
          'UTF8',
        ]);
      }
      await server.startCluster();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** A connection URL for `database` on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The postmaster's process id (its backends are its children), for benchmarks that account for CPU. */
  get pid(): number {
    return Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /**
   * Stops the server as a crash would (no checkpoint: the next start recovers from the WAL), keeping its
   * data. Unless it was started `durable`, the last commits may be lost, as synchronous_commit is off.
   */
  async stopImmediately(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-m', 'immediate', 'stop']);
  }

  /** Starts the server again, after stopImmediately(), on the same port and data. */
  restart(): Promise<void> {
    return this.startCluster();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.exitHook);
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-m', 'fast', 'stop']).catch(() => undefined);
    }
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }

  /** Last resort when the process exits without calling stop(): no cluster is left running. */
  private stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      execFileSync(...this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop']), {
        stdio: 'ignore',
      });
    } catch {
      // already stopped
    }
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }

  private async startCluster(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(this.root, 'postgres.log'),
      '-o',
      this.settings,
      'start',
    ]);
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const [file, argv] = this.command(program, args);
    try {
      await run(file, argv, { cwd: this.root });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${program} failed: ${stderr.trim() || (error as Error).message}`, { cause: error });
    }
  }

  private command(program: string, args: string[]): [string, string[]] {
    const binary = join(postgresBinDir(), program);
    return this.user ? ['runuser', ['-u', this.user.name, '--', binary, ...args]] : [binary, args];
  }
}
