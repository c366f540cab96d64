import type { Attempt, Payment, Refund } from '../api/types';

/** An attempt as the admin list shows it: with its buyer. */
export interface AdminAttempt extends Attempt {
  userId: string;
}

export interface StatsBucket {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  declines: Record<string, number>;
}

export interface PaymentStats {
  buckets: StatsBucket[];
  totals: { attempts: number; succeeded: number; failed: number; successRate: number | null };
  topDeclines: Array<{ code: string; count: number }>;
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
    price: number;
    currency: string;
    expiresAt: string;
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
