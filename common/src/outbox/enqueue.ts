import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import { eventContracts, type EventData, type Subject } from '../events/event-contracts';
import type { EventEnvelope } from '../events/event-envelope';
import { outgoingTraceparent } from '../observability/trace-context';

/**
 * Records an event in the outbox as part of `trx`: it is published if and only if the transaction commits.
 * This is the only way events leave a service. The payload is checked against the contract here, so a bad
 * event fails the change that caused it rather than every consumer.
 */
export async function enqueue<DB extends CommonTables, S extends Subject>(
  trx: Transaction<DB>,
  subject: S,
  data: EventData<S>,
): Promise<EventEnvelope<S>> {
  const envelope: EventEnvelope<S> = {
    id: randomUUID(),
    subject,
    occurredAt: new Date().toISOString(),
    data: eventContracts[subject].parse(data) as EventData<S>,
  };
  await withCommonTables(trx)
    .insertInto('outbox')
    .values({
      event_id: envelope.id,
      subject,
      envelope: JSON.stringify(envelope),
      headers: JSON.stringify({ traceparent: outgoingTraceparent() }),
    })
    .execute();
  return envelope;
}
