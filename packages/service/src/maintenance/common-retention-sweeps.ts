import type { Kysely } from 'kysely';
import type { ServiceConfig } from '../config/service-config';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import type { MaintenanceTask } from './maintenance-task';
import { hoursAgo, retentionSweep } from './retention-sweep';

type RetentionConfig = Pick<
  ServiceConfig,
  'OUTBOX_RETENTION_HOURS' | 'INBOX_RETENTION_HOURS' | 'IDEMPOTENCY_KEY_RETENTION_HOURS'
>;

/**
 * Sweeps of the tables every service has: sent outbox rows, inbox records and idempotency keys, each kept
 * for its config's retention. `launchService` schedules them for every service.
 *
 * @example
 * const tasks = [...commonRetentionSweeps(db, config), ...ownSweeps];
 */
export function commonRetentionSweeps<DB extends CommonTables>(
  serviceDb: Kysely<DB>,
  config: RetentionConfig,
): MaintenanceTask[] {
  const db = withCommonTables(serviceDb);
  return [
    retentionSweep({
      name: 'sent-outbox-rows',
      deleteBatch: (limit) =>
        db
          .deleteFrom('outbox')
          .where('seq', 'in', (eb) =>
            eb
              .selectFrom('outbox')
              .select('seq')
              .where('sent_at', '<', hoursAgo(config.OUTBOX_RETENTION_HOURS))
              .limit(limit),
          )
          .executeTakeFirstOrThrow(),
    }),
    retentionSweep({
      name: 'inbox-records',
      deleteBatch: (limit) =>
        db
          .deleteFrom('inbox')
          .where(({ eb, refTuple, selectFrom }) =>
            eb(
              refTuple('consumer', 'event_id'),
              'in',
              selectFrom('inbox')
                .select(['consumer', 'event_id'])
                .where('processed_at', '<', hoursAgo(config.INBOX_RETENTION_HOURS))
                .limit(limit)
                .$asTuple('consumer', 'event_id'),
            ),
          )
          .executeTakeFirstOrThrow(),
    }),
    retentionSweep({
      name: 'idempotency-keys',
      deleteBatch: (limit) =>
        db
          .deleteFrom('idempotency_keys')
          .where(({ eb, refTuple, selectFrom }) =>
            eb(
              refTuple('scope', 'key'),
              'in',
              selectFrom('idempotency_keys')
                .select(['scope', 'key'])
                .where('created_at', '<', hoursAgo(config.IDEMPOTENCY_KEY_RETENTION_HOURS))
                .limit(limit)
                .$asTuple('scope', 'key'),
            ),
          )
          .executeTakeFirstOrThrow(),
    }),
  ];
}
