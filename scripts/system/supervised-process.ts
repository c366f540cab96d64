import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** A run that stayed up this long was healthy: if it then crashes, the backoff starts over. */
const HEALTHY_RUN_MS = 30_000;
/** Kubernetes' default terminationGracePeriodSeconds; the services' own shutdown deadline comes first. */
const STOP_GRACE_MS = 30_000;

/**
 * A process that is started again whenever it exits, as Kubernetes restarts a crashed container: after a
 * backoff that doubles with each crash in a row. Supervision begins with `supervise()`, so that a process
 * that cannot start fails its start-up instead of crash-looping.
 */
export class SupervisedProcess {
  private child: ChildProcess;
  private startedAt = Date.now();
  private backoffMs = FIRST_BACKOFF_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private supervising = false;
  private restartCount = 0;
  // Last resort when the supervisor exits without stop(): it leaves no process behind.
  private readonly exitHook = () => this.child.kill('SIGKILL');

  constructor(
    readonly name: string,
    private readonly spawnRun: () => ChildProcess,
    /** Where exits and restarts are told. */
    private readonly log: (line: string) => void = console.log,
  ) {
    this.child = this.run();
    process.once('exit', this.exitHook);
  }

  /** The latest run's process id (while a restart is pending, the one that exited). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the latest run ended, e.g. "code 1" or "signal SIGKILL"; undefined while it runs. */
  get exit(): string | undefined {
    const { exitCode, signalCode } = this.child;
    if (signalCode) return `signal ${signalCode}`;
    return exitCode === null ? undefined : `code ${exitCode}`;
  }

  get restarts(): number {
    return this.restartCount;
  }

  supervise(): void {
    this.supervising = true;
  }

  /** Signals the running process (a restart follows, as after any exit). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exit === undefined) this.child.kill(signal);
  }

  /** Ends supervision, then the process: SIGTERM, and SIGKILL if it has not exited within the grace period. */
  async stop(): Promise<void> {
    this.supervising = false;
    clearTimeout(this.restartTimer);
    process.removeListener('exit', this.exitHook);
    if (this.exit !== undefined) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const deadline = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(deadline);
  }

  private run(): ChildProcess {
    const child = this.spawnRun();
    this.startedAt = Date.now();
    child.once('exit', () => this.restartLater());
    return child;
  }

  private restartLater(): void {
    if (!this.supervising) return;
    if (Date.now() - this.startedAt >= HEALTHY_RUN_MS) this.backoffMs = FIRST_BACKOFF_MS;
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(delayMs * 2, MAX_BACKOFF_MS);
    this.restartCount += 1;
    this.log(
      `[${this.name}] exited (${this.exit}); restarting in ${(delayMs / 1000).toFixed(1)} s (restart #${this.restartCount})`,
    );
    this.restartTimer = setTimeout(() => {
      this.child = this.run();
      this.log(`[${this.name}] restarted as pid ${this.child.pid}`);
    }, delayMs);
  }
}
