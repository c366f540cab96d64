import type { Attempt, Payment, Refund } from '../api/types';

/** An attempt as the admin list shows it: with its buyer. */
export interface AdminAttempt extends Attempt {
  userId: string;
  updatedAt: string;
}

export interface StatsBucket {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  canceled: number;
  successRate: number | null;
  declines: Record<string, number>;
}

/** Success rate = succeeded / (succeeded + failed): attempts still open or withdrawn do not count. */
export interface PaymentStats {
  from: string;
  to: string;
  bucket: 'hour' | 'day';
  buckets: StatsBucket[];
  totals: {
    attempts: number;
    succeeded: number;
    failed: number;
    canceled: number;
    successRate: number | null;
  };
  topDeclineCodes: Array<{ code: string; count: number }>;
}

export interface TimelineEvent {
  at: string;
  kind: string;
  [detail: string]: unknown;
}

export interface OrderTimeline {
  order: {
    id: string;
    userId: string;
    status: string;
    amount: number;
    currency: string;
    expiresAt: string | null;
  };
  attempts: Attempt[];
  payments: Payment[];
  refunds: Refund[];
  events: TimelineEvent[];
}

interface ItemFigures {
  count: number;
  oldestSeconds: number;
}

export type StuckItems = Record<string, ItemFigures>;
