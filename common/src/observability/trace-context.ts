import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** W3C Trace Context: which trace the work in progress belongs to, carried across HTTP and the bus. */
export interface TraceContext {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const storage = new AsyncLocalStorage<TraceContext>();

const newSpanId = () => randomBytes(8).toString('hex');

/** Continues the trace of an incoming `traceparent`, or starts a new one when it is absent or malformed. */
export function traceFromParent(traceparent: string | undefined | null): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  return { traceId: match?.[1] ?? randomBytes(16).toString('hex'), spanId: newSpanId() };
}

export function runInTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** The `traceparent` to send with an outgoing message: the current trace, or a fresh one. */
export function outgoingTraceparent(): string {
  const context = currentTrace() ?? traceFromParent(undefined);
  return `00-${context.traceId}-${context.spanId}-01`;
}
