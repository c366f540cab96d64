import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { withCommonTables, type CommonTables } from '../database/common-tables';
import { eventContracts, type EventData, type Subject } from '../events/event-contracts';
import type { EventEnvelope } from '../events/event-envelope';
import { outgoingTraceparent } from '../observability/trace-context';

/** An event to record, typed so that the payload must match the subject. */
export type OutgoingEvent = { [S in Subject]: { subject: S; data: EventData<S> } }[Subject];

function envelopeOf<S extends Subject>(subject: S, data: EventData<S>): EventEnvelope<S> {
  return {
    id: randomUUID(),
    subject,
    occurredAt: new Date().toISOString(),
    // Checked here, so that a bad event fails the change that caused it rather than every consumer.
    data: eventContracts[subject].parse(data) as EventData<S>,
  };
}

/**
 * Records events in the outbox as part of `trx`, in one statement: they are published if and only if the
 * transaction commits. This is the only way events leave a service.
 */
export async function enqueueAll<DB extends CommonTables>(
  trx: Transaction<DB>,
  events: OutgoingEvent[],
): Promise<EventEnvelope[]> {
  const envelopes = events.map(({ subject, data }) => envelopeOf(subject, data as never) as EventEnvelope);
  const headers = JSON.stringify({ traceparent: outgoingTraceparent() });
  await withCommonTables(trx)
    .insertInto('outbox')
    .values(
      envelopes.map((envelope) => ({
        event_id: envelope.id,
        subject: envelope.subject,
        envelope: JSON.stringify(envelope),
        headers,
      })),
    )
    .execute();
  return envelopes;
}

/** Records one event in the outbox as part of `trx`; see `enqueueAll`. */
export async function enqueue<DB extends CommonTables, S extends Subject>(
  trx: Transaction<DB>,
  subject: S,
  data: EventData<S>,
): Promise<EventEnvelope<S>> {
  const [envelope] = await enqueueAll(trx, [{ subject, data } as OutgoingEvent]);
  return envelope as EventEnvelope<S>;
}
