// Scheduled maintenance shared by every service: cron-scheduled tasks, one replica at a time.
export { cronSchedule, nextRunAfter } from './cron-schedule';
export type { MaintenanceTask } from './maintenance-task';
export { hoursAgo, retentionSweep, type RetentionSweepOptions } from './retention-sweep';
export { commonRetentionSweeps } from './common-retention-sweeps';
export {
  MaintenanceScheduler,
  type MaintenanceRun,
  type MaintenanceSchedulerOptions,
} from './maintenance-scheduler';
