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

/** Semantic version of the contracts below: a breaking change to any payload is a new major version. */
export const CONTRACTS_VERSION = '1.2.0';

/**
 * Every subject on the bus and the schema of its payload. This map is the contract: the outbox and the
 * listeners are typed by it, so publishing or handling the wrong payload for a subject does not compile,
 * and the JSON Schema / AsyncAPI document for outside subscribers is generated from it.
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

export type Subject = keyof typeof eventContracts;

export type EventData<S extends Subject> = z.infer<(typeof eventContracts)[S]>;

export const subjects = Object.keys(eventContracts) as Subject[];

export function isSubject(value: string): value is Subject {
  return Object.hasOwn(eventContracts, value);
}
