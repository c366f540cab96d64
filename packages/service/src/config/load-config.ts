import type { z } from 'zod';

/**
 * A start-up failure that names every bad or missing variable, and never echoes a value (it may be a secret).
 *
 * @example
 * try {
 *   return loadConfig(receiptsConfig);
 * } catch (error) {
 *   if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`); // one line per variable
 *   process.exit(1);
 * }
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a zod schema, failing with a `ConfigError` that lists every problem at once,
 * so that a misconfigured deployment is fixed in one go rather than one variable per restart.
 *
 * @example
 * const config = loadConfig(ordersConfig); // process.env
 * const local = loadConfig(ordersConfig, { DATABASE_URL: databaseUrl, NATS_URL: natsUrl, JWT_KEY: key });
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join('.') || 'environment';
      if (env[variable] !== undefined) return `${variable}: ${issue.message}`;
      return issue.code === 'custom'
        ? `${variable} is required (${issue.message})`
        : `${variable} is required`;
    }),
  );
}
