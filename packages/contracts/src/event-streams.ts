import type { Subject } from './event-contracts';

/**
 * One stream per producing service; a subject's stream is named after its first token, so
 * `orders.created` lives in ORDERS. Dead letters have a stream of their own.
 *
 * @example
 * eventStreams.ORDERS; // 'orders': the stream takes `orders.>`
 */
export const eventStreams = {
  TICKETS: 'tickets',
  ORDERS: 'orders',
  PAYMENTS: 'payments',
  EXPIRATION: 'expiration',
  DLQ: 'dlq',
} as const;

/** A stream's name as the contract knows it; `Bus.streamName` gives its name on the server. */
export type StreamName = keyof typeof eventStreams;

/**
 * The stream that carries `subject`: a durable consumer of the subject is created on it.
 *
 * @example
 * streamOf('orders.created'); // 'ORDERS'
 * streamOf('payments.refunded'); // 'PAYMENTS'
 */
export function streamOf(subject: Subject): StreamName {
  const prefix = subject.split('.')[0];
  const stream = (Object.keys(eventStreams) as StreamName[]).find((name) => eventStreams[name] === prefix);
  if (!stream) throw new Error(`No stream carries ${subject}`);
  return stream;
}

/**
 * Where consumers park the messages of `subject` they gave up on (invalid, or failing every time), in the
 * DLQ stream, so that they can be looked into and replayed.
 *
 * @example
 * deadLetterSubject('orders.created'); // 'dlq.orders.created'
 */
export function deadLetterSubject(subject: Subject): string {
  return `${eventStreams.DLQ}.${subject}`;
}
