import type { Transaction } from 'kysely';
import type { BusTables } from '../database/bus-tables';
import type { Subject, EventEnvelope } from '@ticketing/contracts';
import type { Logger } from '../observability/logger';

/**
 * A handler's answer that the event arrived too early (its predecessor has not): try again later. Returned
 * rather than thrown, so that an early event is not counted as a failure towards the dead-letter limit.
 *
 * @example
 * defineListener<Database, 'tickets.updated'>('tickets.updated', async (event, { trx, retryLater }) => {
 *   const held = await trx
 *     .selectFrom('tickets')
 *     .select('version')
 *     .where('id', '=', event.data.id)
 *     .executeTakeFirst();
 *   if (held && versionOrder(held.version, event.data.version) === 'future') {
 *     return retryLater(`holding version ${held.version}`);
 *   }
 *   // ... apply it, or ignore it when stale ...
 * });
 */
export class RetryLater {
  constructor(readonly reason: string) {}
}

/** What a handler is given besides the event: its transaction, a logger bound to the event, and ways out. */
export interface HandlerContext<DB> {
  /** The handler's writes, the inbox record and any events it enqueues commit or roll back together. */
  trx: Transaction<DB>;
  logger: Logger;
  /** 1 on first delivery. */
  deliveryCount: number;
  retryLater(reason: string): RetryLater;
  /**
   * Runs `work` once the transaction has committed (never if it rolls back), outside it: for calls to
   * another system (Stripe, say) that must not hold the transaction's row locks while they wait. Best
   * effort: a crash in between loses it, so what it does must also be done by a sweep.
   */
  afterCommit(work: () => Promise<void>): void;
}

/** What a service does with one subject. The payload type follows from the subject. */
export interface EventListener<S extends Subject, DB extends BusTables> {
  subject: S;
  handle(event: EventEnvelope<S>, context: HandlerContext<DB>): Promise<void | RetryLater>;
}

/** Any listener of a service, whatever its subject: what a service's list of subscriptions holds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventListener<DB extends BusTables> = EventListener<any, DB>;

/**
 * Declares what to do with one subject. Both type parameters are given explicitly, so that the handler's
 * `trx` is typed by the service's schema and `event.data` by the subject's contract.
 *
 * @example
 * export const paymentCreatedListener = defineListener<ReceiptsDatabase, 'payments.created'>(
 *   'payments.created',
 *   async (event, { trx }) => {
 *     await trx
 *       .insertInto('receipts')
 *       .values({ order_id: event.data.orderId, amount: event.data.amount, currency: event.data.currency })
 *       .execute();
 *   },
 * );
 */
export function defineListener<DB extends BusTables, S extends Subject>(
  subject: S,
  handle: EventListener<S, DB>['handle'],
): EventListener<S, DB> {
  return { subject, handle };
}
