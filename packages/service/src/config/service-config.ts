import { z } from 'zod';
import { DEFAULT_HEARTBEAT_MS } from '../http/live/live-state';
import { cronSchedule } from '../maintenance/cron-schedule';

/**
 * A TCP port read from the environment; 0 asks the system for a free one (tests).
 *
 * @example
 * const adminConfig = defineServiceConfig({ ADMIN_PORT: portNumber.default(9000) });
 */
export const portNumber = z.coerce.number().int().min(0).max(65535);

/** What every service reads from its environment. */
const serviceConfigFields = {
  PORT: portNumber.default(3000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  NATS_URL: z
    .string()
    .regex(
      /^(nats|tls):\/\/\S+(,(nats|tls):\/\/\S+)*$/,
      'must be nats://host:port (comma-separated for a cluster)',
    ),
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only')
    .default(''),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** With NATS_PASSWORD, where the server requires a login (production: one user per service). */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  JWT_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /**
   * How long start-up may wait for its dependencies (the database, the schema with MIGRATIONS=external, and
   * NATS), counted from the start, before the process gives up and exits 1. 0, the default, waits without
   * limit: the service serves /livez meanwhile and /readyz says what it waits for (docs/decisions/0015).
   * A bound suits a supervisor that should report a misconfigured URL rather than wait (`npm start`, tests).
   */
  STARTUP_DEPENDENCY_TIMEOUT_SECONDS: z.coerce.number().int().min(0).default(0),
  /**
   * `startup`: the service applies its migrations at start, under an advisory lock. `external`: something
   * else does (`node <service>/dist/index.js migrate`, e.g. a Kubernetes Job); the service waits, not ready,
   * until the database has every migration it knows (a newer schema is fine).
   */
  MIGRATIONS: z.enum(['startup', 'external']).default('startup'),
  /** When the retention sweeps run (cron, UTC); each run is done by one replica. */
  MAINTENANCE_SCHEDULE: cronSchedule.default('*/10 * * * *'),
  /** Sent events are kept this long, to look into or replay. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(1).default(168),
  /** Must outlast any redelivery of an event, or a late copy would be handled a second time. */
  INBOX_RETENTION_HOURS: z.coerce.number().int().min(1).default(168),
  /** How long a client may retry a POST with the same Idempotency-Key and get the first answer replayed. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
  /** Between two heartbeat comments on a live event stream. */
  LIVE_HEARTBEAT_MS: z.coerce.number().int().positive().default(DEFAULT_HEARTBEAT_MS),
};

/**
 * What `migrate` (running a service's migrations and exiting) reads: the database, nothing else, so that a
 * migration Job needs no NATS URL or JWT key.
 *
 * @example
 * const { DATABASE_URL } = loadConfig(migrationConfig);
 */
export const migrationConfig = z.object({
  DATABASE_URL: serviceConfigFields.DATABASE_URL,
  LOG_LEVEL: serviceConfigFields.LOG_LEVEL,
  STARTUP_DEPENDENCY_TIMEOUT_SECONDS: serviceConfigFields.STARTUP_DEPENDENCY_TIMEOUT_SECONDS,
});

export type MigrationConfig = z.infer<typeof migrationConfig>;

/**
 * The config schema of a service: the variables every service reads plus its own. It also requires
 * JWT_KEY or JWKS_URL, whichever way tokens are checked.
 *
 * @example
 * export const ordersConfig = defineServiceConfig({
 *   EXPIRATION_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
 * });
 * export type OrdersConfig = z.infer<typeof ordersConfig>;
 */
export function defineServiceConfig<Extra extends z.ZodRawShape>(extra: Extra) {
  return z.object({ ...serviceConfigFields, ...extra }).superRefine((config, ctx) => {
    const auth = config as { JWT_KEY?: string; JWKS_URL?: string };
    if (!auth.JWT_KEY && !auth.JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_KEY'],
        message: 'or JWKS_URL, for tokens from an identity provider',
      });
    }
  });
}

/**
 * The config of a service with no variables of its own; its type, `ServiceConfig`, is what every service's
 * config extends.
 *
 * @example
 * const config: ServiceConfig = loadConfig(serviceConfig);
 */
export const serviceConfig = defineServiceConfig({});

/** The variables every service has, parsed: what the bootstrap reads from any service's config. */
export type ServiceConfig = z.infer<typeof serviceConfig>;
