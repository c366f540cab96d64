// Event contracts
export * from './events/event-contracts';
export * from './events/event-envelope';
export * from './events/event-streams';
export * from './events/version-order';
export * from './events/contracts/money';
export * from './events/contracts/order-status';
export * from './events/contracts/ticket-changed';
export * from './events/contracts/order-created';
export * from './events/contracts/order-cancelled';
export * from './events/contracts/order-completed';
export * from './events/contracts/expiration-completed';
export * from './events/contracts/payment-created';
export * from './events/contracts/payment-failed';
export * from './events/contracts/payment-expired';
export * from './events/contracts/payment-refunded';

// The bus: connection, streams, outbox, listeners
export { Bus, type BusOptions } from './bus/bus';
export { provisionStreams, type StreamSettings } from './bus/provision-streams';
export { MINIMUM_SERVER_VERSION } from './bus/server-requirements';
export {
  enqueue,
  enqueueAll,
  enqueueWith,
  prepareEvents,
  type OutgoingEvent,
  type PreparedEvents,
} from './outbox/enqueue';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
export { WakeSignal } from './outbox/wake-signal';
export { InsertNotifications, type InsertNotificationsOptions } from './database/insert-notifications';
export { notifyOnInsert } from './database/notify-on-insert';
export { notifyOnRowChange, type RowChangeNotification } from './database/notify-on-row-change';
export {
  NotificationHub,
  type HubSubscriber,
  type NotificationHubOptions,
} from './database/notification-hub';
export { isUniqueViolation } from './database/unique-violation';
export { retryTransaction } from './database/retry-transaction';
export {
  DependencyUnavailableError,
  isDatabaseUnavailable,
  isRetryableTransactionFailure,
  isTransientFailure,
} from './errors/dependency-unavailable';
export {
  defineListener,
  RetryLater,
  type AnyEventListener,
  type EventListener,
  type HandlerContext,
} from './listeners/event-listener';
export { ListenerRunner, durableName, type ListenerRunnerOptions } from './listeners/listener-runner';
export { DeadLetterHeaders } from './listeners/dead-letter';

// Database
export { withCommonTables, type CommonTables } from './database/common-tables';
export { createDatabase, type DatabaseOptions } from './database/create-database';
export {
  assertSchemaCurrent,
  migrateToLatest,
  pendingMigrations,
  SchemaNotReadyError,
} from './database/migrate';

// HTTP
export { HttpError, type ErrorItem } from './http/errors/http-error';
export { BadRequestError } from './http/errors/bad-request-error';
export { RequestValidationError } from './http/errors/request-validation-error';
export { NotAuthorizedError } from './http/errors/not-authorized-error';
export { ForbiddenError } from './http/errors/forbidden-error';
export { NotFoundError } from './http/errors/not-found-error';
export { ConflictError } from './http/errors/conflict-error';
export { UnprocessableEntityError } from './http/errors/unprocessable-entity-error';
export { errorHandler } from './http/middlewares/error-handler';
export { answerParserRefusals } from './http/parser-refusals';
export { declareApi, type ApiDeclaration, type DeclaredApi } from './http/routes/declare-api';
export {
  declareRoute,
  type DeclaredRoute,
  type RouteContract,
  type RouteHandler,
} from './http/routes/declare-route';
export { readRouteInput, type InputSchemas, type RouteInput } from './http/routes/route-input';
export { currentUser, type AuthenticationOptions, type CurrentUser } from './http/middlewares/current-user';
export { authenticatedUser, requireAuth } from './http/middlewares/require-auth';
export { requireAdmin, ADMIN_ROLE } from './http/middlewares/require-admin';
export {
  idempotency,
  IDEMPOTENCY_KEY_HEADER,
  REPLAYED_HEADER,
  type IdempotencyOptions,
} from './http/middlewares/idempotency';
export { answerOnce, type RouteAnswer } from './http/answer-once';
export { createHttpApp, type HttpAppOptions } from './http/create-http-app';
export { liveState, type LiveStateOptions } from './http/live/live-state';
export { decodeCursor, encodeCursor, type KeysetPosition } from './http/keyset-cursor';
export { pageFields, sendPage, type PageRequest } from './http/keyset-page';
export { signToken, type TokenRequest } from './auth/sign-token';
export { errorResponse } from './http/openapi/error-response';
export {
  buildOpenApiDocument,
  type ApiDescription,
  type ApiOperation,
  type ApiResponse,
  type OpenApiDocument,
} from './http/openapi/openapi-document';
export { liveStateContract, type LiveStateContract } from './http/routes/live-state-contract';

// Config, observability, service bootstrap
export { loadConfig, ConfigError } from './config/load-config';
export {
  defineServiceConfig,
  migrationConfig,
  serviceConfig,
  portNumber,
  type MigrationConfig,
  type ServiceConfig,
} from './config/service-config';
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
export type { BackgroundTask, ServiceContext, ServiceDefinition } from './service/service-definition';
export {
  launchService,
  startService,
  type LaunchedService,
  type RunningService,
} from './service/start-service';
export { runService } from './service/run-service';
export { migrateService, runMigrations, runServiceCommand } from './service/run-migrations';
export { buildAsyncApiDocument } from './events/asyncapi-document';
export * from './maintenance';

// Stripe's currencies: which it charges, in what minor units, between what limits
export * from './money/stripe-currencies';
