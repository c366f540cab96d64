import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * When a cron expression next fires after `after`, in UTC. Five fields, or six with seconds first.
 *
 * @example
 * nextRunAfter('30 * * * *', new Date('2026-01-01T10:45:00Z')); // 2026-01-01T11:30:00.000Z
 */
export function nextRunAfter(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/**
 * A config variable holding a cron expression: a bad one fails at start-up, naming the variable.
 *
 * @example
 * const config = defineServiceConfig({ REPORT_SCHEDULE: cronSchedule.default('0 6 * * *') });
 */
export const cronSchedule = z.string().refine(
  (expression) => {
    try {
      nextRunAfter(expression, new Date());
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be a cron expression, e.g. "*/10 * * * *"' },
);
