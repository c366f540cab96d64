/** Lets a loop sleep until it is told there is work, or until a timeout; a wake-up while awake is kept. */
export class WakeSignal {
  private pending = false;
  private wake?: () => void;

  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  async wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
    this.pending = false;
  }
}
