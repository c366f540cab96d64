// The connection and the streams
export { Bus, type BusOptions } from './bus';
export { provisionStreams, type StreamSettings } from './provision-streams';
export { MINIMUM_SERVER_VERSION, UnsupportedServerError } from './server-requirements';

// Publishing: the outbox, written in the caller's transaction, and the relay that sends it
export {
  enqueue,
  enqueueAll,
  enqueueWith,
  prepareEvents,
  type OutgoingEvent,
  type PreparedEvents,
} from './outbox/enqueue';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';

// Background work: loops woken by PostgreSQL notifications or a timer (the relay, the services' schedulers)
export { PollingWorker, type NextStep, type PollingWorkerOptions } from './worker/polling-worker';
export { WakeSignal } from './worker/wake-signal';

// Subscribing: listeners with an inbox, retries and dead letters
export {
  defineListener,
  RetryLater,
  type AnyEventListener,
  type EventListener,
  type HandlerContext,
} from './listeners/event-listener';
export { ListenerRunner, durableName, type ListenerRunnerOptions } from './listeners/listener-runner';
export { DeadLetterHeaders } from './listeners/dead-letter';

// The database the outbox and the inbox live in
export { createDatabase, type DatabaseOptions } from './database/create-database';
export { withBusTables, type BusTables, type InboxTable, type OutboxTable } from './database/bus-tables';
export { busMigrations, createOutboxAndInbox, OUTBOX_CHANNEL } from './database/bus-migrations';
export { InsertNotifications, type InsertNotificationsOptions } from './database/insert-notifications';
export { notifyOnInsert } from './database/notify-on-insert';
export {
  listenStatement,
  openListenConnection,
  type ListenConnectionOptions,
} from './database/listen-connection';
export {
  DependencyUnavailableError,
  isDatabaseUnavailable,
  isRetryableTransactionFailure,
  isTransientFailure,
} from './errors/dependency-unavailable';

// Observability the bus carries (trace context in every envelope's headers) and services share
export { createLogger, type Logger } from './observability/logger';
export { createMetricsRegistry, sharedMetric } from './observability/metrics';
// Re-exported so that a service registers its own metrics without a prom-client dependency of its own.
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
export {
  currentTrace,
  outgoingTraceparent,
  runInTrace,
  traceFromParent,
  type TraceContext,
} from './observability/trace-context';
