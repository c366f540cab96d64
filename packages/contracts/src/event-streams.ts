import type { Subject } from './event-contracts';

/**
 * One stream per producing service; a subject's stream is named after its first token, so
 * `orders.created` lives in ORDERS. Dead letters have a stream of their own.
 */
export const eventStreams = {
  TICKETS: 'tickets',
  ORDERS: 'orders',
  PAYMENTS: 'payments',
  EXPIRATION: 'expiration',
  DLQ: 'dlq',
} as const;

export type StreamName = keyof typeof eventStreams;

export function streamOf(subject: Subject): StreamName {
  const prefix = subject.split('.')[0];
  const stream = (Object.keys(eventStreams) as StreamName[]).find((name) => eventStreams[name] === prefix);
  if (!stream) throw new Error(`No stream carries ${subject}`);
  return stream;
}

export function deadLetterSubject(subject: Subject): string {
  return `${eventStreams.DLQ}.${subject}`;
}
