import type { Transaction } from 'kysely';
import type { BusTables } from '../database/bus-tables';
import type { Subject, EventEnvelope } from '@ticketing/contracts';
import type { Logger } from '../observability/logger';

/** A handler's answer that the event arrived too early (its predecessor has not): try again later. */
export class RetryLater {
  constructor(readonly reason: string) {}
}

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

export function defineListener<DB extends BusTables, S extends Subject>(
  subject: S,
  handle: EventListener<S, DB>['handle'],
): EventListener<S, DB> {
  return { subject, handle };
}
