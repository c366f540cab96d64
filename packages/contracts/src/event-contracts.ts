import type { z } from 'zod';
import { expirationCompleted } from './events/expiration-completed';
import { orderCancelled } from './events/order-cancelled';
import { orderCompleted } from './events/order-completed';
import { orderCreated } from './events/order-created';
import { paymentCreated } from './events/payment-created';
import { paymentExpired } from './events/payment-expired';
import { paymentFailed } from './events/payment-failed';
import { paymentRefunded } from './events/payment-refunded';
import { ticketChanged } from './events/ticket-changed';

/**
 * Semantic version of the contracts below: a breaking change to any payload is a new major version. It is
 * the AsyncAPI document's `info.version`, counted since the contracts were first published (inside
 * `@ticketing/common`), and so not the same number as this package's version.
 *
 * @example
 * const document = buildAsyncApiDocument();
 * document.info.version === CONTRACTS_VERSION; // true
 */
export const CONTRACTS_VERSION = '1.2.0';

/**
 * Every subject on the bus and the schema of its payload. This map is the contract: the outbox and the
 * listeners are typed by it, so publishing or handling the wrong payload for a subject does not compile,
 * and the JSON Schema / AsyncAPI document for outside subscribers is generated from it.
 *
 * @example
 * const payload = eventContracts['orders.created'].parse(envelope.data); // a ZodError names a bad field
 * payload.ticket.price; // number, in minor units
 */
export const eventContracts = {
  'tickets.created': ticketChanged,
  'tickets.updated': ticketChanged,
  'orders.created': orderCreated,
  'orders.cancelled': orderCancelled,
  'orders.completed': orderCompleted,
  'expiration.completed': expirationCompleted,
  'payments.created': paymentCreated,
  'payments.failed': paymentFailed,
  'payments.expired': paymentExpired,
  'payments.refunded': paymentRefunded,
} as const;

/** A subject of the contract, e.g. `'orders.created'`: what `enqueue`, listeners and parsers are typed by. */
export type Subject = keyof typeof eventContracts;

/** The payload type of `S`, inferred from its schema, so that it cannot drift from what is validated. */
export type EventData<S extends Subject> = z.infer<(typeof eventContracts)[S]>;

/**
 * Every subject, for code that covers them all (documents, dashboards, a recorder of every stream) rather
 * than naming them one by one.
 *
 * @example
 * for (const subject of subjects) console.log(subject, streamOf(subject), deadLetterSubject(subject));
 */
export const subjects = Object.keys(eventContracts) as Subject[];

/**
 * Narrows a string from outside the type system (a dead letter's header, a command-line argument) to a
 * `Subject`, before it is used to pick a schema.
 *
 * @example
 * const subject = process.argv[2] ?? '';
 * if (!isSubject(subject)) throw new Error(`${subject} is not a ticketing subject`);
 * const result = parseEnvelope(subject, body);
 */
export function isSubject(value: string): value is Subject {
  return Object.hasOwn(eventContracts, value);
}
