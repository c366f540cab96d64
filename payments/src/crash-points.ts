import { readFileSync, unlinkSync } from 'node:fs';

/** The steps of a payment and of a refund between which a crash can fall. */
export type CrashPoint =
  | 'attempt-started'
  | 'intent-created'
  | 'intent-recorded'
  | 'charge-confirmed'
  | 'payment-recorded'
  | 'refund-requested'
  | 'refund-created'
  | 'refund-recorded';

/**
 * A test hook: with `TEST_CRASH_POINT_FILE` set (tests only), the process kills itself with SIGKILL at the
 * step the file names, once (the file is removed), so a test can crash the service between any two steps
 * of a payment or a refund and check that the sweep finishes what was left. Without the variable it costs
 * a property read.
 */
export function crashPoint(step: CrashPoint): void {
  const file = process.env.TEST_CRASH_POINT_FILE;
  if (!file) return;
  let wanted: string;
  try {
    wanted = readFileSync(file, 'utf8').trim();
  } catch {
    return;
  }
  if (wanted !== step) return;
  unlinkSync(file);
  process.kill(process.pid, 'SIGKILL');
}
