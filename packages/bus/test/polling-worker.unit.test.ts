import { waitFor } from '@ticketing/testing';
import { createLogger } from '../src/observability/logger';
import { PollingWorker, type NextStep, type PollingWorkerOptions } from '../src/worker/polling-worker';
import { WakeSignal } from '../src/worker/wake-signal';

/** Longer than any test runs: a worker that steps again before it was woken, not timed out. */
const LONG_MS = 60_000;
const FAILURE_MESSAGE = 'test worker failed; backing off';

/** Lets every timer and promise that is due run, on the fake clock. */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('PollingWorker', () => {
  const workers: PollingWorker[] = [];
  let logs: Array<{ msg: string; err?: { message: string } }>;

  async function started(options: Partial<PollingWorkerOptions> & Pick<PollingWorkerOptions, 'step'>) {
    const worker = new PollingWorker({
      pollIntervalMs: LONG_MS,
      logger: createLogger('test', 'error', { write: (line: string) => logs.push(JSON.parse(line)) }),
      failureMessage: FAILURE_MESSAGE,
      ...options,
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  beforeEach(() => {
    logs = [];
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    jest.useRealTimers();
  });

  it('steps again at once after a full batch, and wakes a second worker onto the backlog', async () => {
    const wake = new WakeSignal();
    let steps = 0;
    let backlog = 0;
    const batches: number[] = [];
    let inFlight = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await started({
      workers: 2,
      wakeSignal: wake,
      async step() {
        steps += 1;
        const batch = Math.min(backlog, 2);
        backlog -= batch;
        if (batch === 0) return 'idle';
        batches.push(batch);
        // The batches after the first are held, so that the workers on the backlog are seen side by side.
        if (batches.length > 1) {
          inFlight += 1;
          await held;
          inFlight -= 1;
        }
        return batch === 2 ? 'again' : 'idle';
      },
    });
    await waitFor(() => steps === 2, { description: 'both workers to find nothing and sleep' });

    backlog = 7;
    wake.notify(); // one notification wakes one worker
    await waitFor(() => inFlight === 2, { description: 'both workers on the backlog' });
    release();
    await waitFor(() => backlog === 0 && inFlight === 0, { description: 'the backlog to drain' });
    expect(batches).toEqual([2, 2, 2, 1]);
  });

  it('sleeps pollIntervalMs when idle, or what the step asks, and wakes early on the signal', async () => {
    jest.useFakeTimers();
    const wake = new WakeSignal();
    const plan: NextStep[] = ['idle', { sleepMs: 50 }, 'idle'];
    let steps = 0;
    await started({ pollIntervalMs: 1_000, wakeSignal: wake, step: async () => plan[steps++] ?? 'idle' });

    await settle();
    expect(steps).toBe(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(steps).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(steps).toBe(2);
    await jest.advanceTimersByTimeAsync(49);
    expect(steps).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(steps).toBe(3);
    await jest.advanceTimersByTimeAsync(500);
    expect(steps).toBe(3);
    wake.notify();
    await settle();
    expect(steps).toBe(4);
  });

  it("logs a failed step with the owner's message, backs off up to pollIntervalMs, recovers", async () => {
    jest.useFakeTimers();
    const plan = ['fail', 'fail', 'fail', 'fail', 'ok', 'fail', 'ok'];
    const startedAt = Date.now();
    const stepTimes: number[] = [];
    await started({
      pollIntervalMs: 1_000,
      async step() {
        stepTimes.push(Date.now() - startedAt);
        if (plan[stepTimes.length - 1] === 'fail') throw new Error(`step ${stepTimes.length} failed`);
        return 'idle';
      },
    });

    await jest.advanceTimersByTimeAsync(3_700);
    // Backoffs of 200, 400, 800 and (capped) 1000 ms; a success sleeps 1000 ms and starts the count afresh.
    expect(stepTimes).toEqual([0, 200, 600, 1_400, 2_400, 3_400, 3_600]);
    expect(logs.map((line) => [line.msg, line.err?.message])).toEqual(
      [1, 2, 3, 4, 6].map((step) => [FAILURE_MESSAGE, `step ${step} failed`]),
    );
  });

  it('lets stop() wait for the step in flight, and starts no step after it', async () => {
    let steps = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = await started({
      async step() {
        steps += 1;
        await held;
        return 'again';
      },
    });
    await waitFor(() => steps === 1, { description: 'the first step' });

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    // The step asked to go again at once: only the stop kept it from it.
    expect(steps).toBe(1);
  });

  it('aborts the signal handed to the step at stop, so a long step ends between two batches', async () => {
    let batches = 0;
    let abortedWith: number | undefined;
    const worker = await started({
      async step(signal) {
        while (!signal.aborted) {
          batches += 1;
          await new Promise((resolve) => setImmediate(resolve));
        }
        abortedWith = batches;
        return 'idle';
      },
    });
    await waitFor(() => batches >= 3, { description: 'a few batches' });

    await worker.stop();
    expect(abortedWith).toBeDefined();
    expect(batches).toBe(abortedWith);
  });
});
