// The database every service shares the shape of: migrations, LISTEN/NOTIFY fan-out, transactions
export { notifyOnRowChange, type RowChangeNotification } from './database/notify-on-row-change';
export {
  NotificationHub,
  type HubSubscriber,
  type NotificationHubOptions,
} from './database/notification-hub';
export { isUniqueViolation } from './database/unique-violation';
export { retryTransaction } from './database/retry-transaction';
export { withCommonTables, type CommonTables, type IdempotencyKeysTable } from './database/common-tables';
export {
  assertSchemaCurrent,
  migrateToLatest,
  pendingMigrations,
  SchemaNotReadyError,
} from './database/migrate';

// HTTP: errors, routes declared once, authentication, idempotency, live state, keyset pages, OpenAPI
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
export type { ReadinessCheck, StatusReport } from './http/middlewares/health';
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

// Configuration, the service bootstrap and scheduled maintenance
export { loadConfig, ConfigError } from './config/load-config';
export {
  defineServiceConfig,
  migrationConfig,
  serviceConfig,
  portNumber,
  type MigrationConfig,
  type ServiceConfig,
} from './config/service-config';
export type { BackgroundTask, ServiceContext, ServiceDefinition } from './bootstrap/service-definition';
export {
  launchService,
  startService,
  type LaunchedService,
  type RunningService,
} from './bootstrap/start-service';
export { runService } from './bootstrap/run-service';
export { migrateService, runMigrations, runServiceCommand } from './bootstrap/run-migrations';
export * from './maintenance';
