/** What the benchmark and its pg-boss worker process agree on. */
export const PG_BOSS_SCHEMA = 'pgboss';
export const PG_BOSS_QUEUE = 'order-expiry';

export interface ExpiryJob {
  orderId: string;
}
