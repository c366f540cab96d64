/**
 * Lets worker loops sleep until told there is work, or until a timeout. A wake-up wakes one sleeper (a
 * worker that then finds more than it can take wakes the next); one given while nobody sleeps is kept, so
 * that work announced while every worker is busy is not missed.
 *
 * @example
 * const signal = new WakeSignal();
 * // In the loop: sleep up to 5 s, or until there is work.
 * await signal.wait(5_000);
 * // Elsewhere, when rows are inserted:
 * signal.notify();
 */
export class WakeSignal {
  private pending = false;
  private readonly sleepers: Array<() => void> = [];

  notify(): void {
    const sleeper = this.sleepers.shift();
    if (sleeper) sleeper();
    else this.pending = true;
  }

  notifyAll(): void {
    this.pending = true;
    for (const sleeper of this.sleepers.splice(0)) sleeper();
  }

  async wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.sleepers.indexOf(wake);
        if (index >= 0) this.sleepers.splice(index, 1);
        resolve();
      }, timeoutMs);
      this.sleepers.push(wake);
    });
  }
}
