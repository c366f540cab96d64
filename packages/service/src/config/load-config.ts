import type { z } from 'zod';

/** A start-up failure that names every bad or missing variable, and never echoes a value (it may be a secret). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
