import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/** W3C Trace Context: which trace the work in progress belongs to, carried across HTTP and the bus. */
export interface TraceContext {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const storage = new AsyncLocalStorage<TraceContext>();

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time: one call into the system's generator per 256
 * span ids instead of one per event, which was a twentieth of a listener's CPU.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomPoolOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  randomPoolOffset += bytes;
  return randomPool.toString('hex', randomPoolOffset - bytes, randomPoolOffset);
}

const newSpanId = () => randomHex(8);

/**
 * Continues the trace of an incoming `traceparent`, or starts a new one when it is absent or malformed.
 *
 * @example
 * const trace = traceFromParent(msg.headers?.get('traceparent'));
 * await runInTrace(trace, () => handle(msg)); // what it enqueues continues the publisher's trace
 */
export function traceFromParent(traceparent: string | undefined | null): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  return { traceId: match?.[1] ?? randomHex(16), spanId: newSpanId() };
}

/**
 * Runs `work` in the trace `context`: whatever it logs or enqueues, however deep in its calls, carries that
 * trace, without passing it down by hand.
 *
 * @example
 * app.use((req, _res, next) => runInTrace(traceFromParent(req.get('traceparent')), next));
 */
export function runInTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/**
 * The trace of the work in progress, when it runs in one (see `runInTrace`).
 *
 * @example
 * logger.info({ traceId: currentTrace()?.traceId }, 'charged');
 */
export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/**
 * The `traceparent` to send with an outgoing message: the current trace, or a fresh one.
 *
 * @example
 * const headers = natsHeaders();
 * headers.set('traceparent', outgoingTraceparent());
 */
export function outgoingTraceparent(): string {
  const context = currentTrace() ?? traceFromParent(undefined);
  return `00-${context.traceId}-${context.spanId}-01`;
}
