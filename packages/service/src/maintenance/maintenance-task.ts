/**
 * Periodic housekeeping of a service's database, run on a cron schedule by one replica at a time.
 * `retentionSweep` makes the usual kind; a service lists its own in `ServiceDefinition.maintenance`.
 */
export interface MaintenanceTask {
  /** Unique within the service: the replicas' mutual exclusion is keyed on it. */
  name: string;
  /** Cron expression (UTC); MAINTENANCE_SCHEDULE when absent. */
  schedule?: string;
  /** Does the work, stopping early once `signal` aborts (shutdown); returns how many rows it removed. */
  run(signal: AbortSignal): Promise<number>;
}
