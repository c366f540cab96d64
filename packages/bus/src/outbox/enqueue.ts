import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type QueryCreator, type Transaction } from 'kysely';
import { withBusTables, type BusTables, type OutboxTable } from '../database/bus-tables';
import { eventContracts, type EventData, type Subject, type EventEnvelope } from '@ticketing/contracts';
import { outgoingTraceparent } from '../observability/trace-context';

/**
 * An event to record, typed so that the payload must match the subject.
 *
 * @example
 * const event: OutgoingEvent = { subject: 'expiration.completed', data: { orderId } };
 */
export type OutgoingEvent = { [S in Subject]: { subject: S; data: EventData<S> } }[Subject];

/** Events checked against their contracts and serialized, ready to be written (by `enqueueWith`). */
export interface PreparedEvents {
  envelopes: EventEnvelope[];
  rows: Array<Insertable<OutboxTable>>;
}

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
 * Builds the outbox rows of `events`, carrying the current trace. Separate from writing them, for
 * `enqueueWith`, whose statement is built around the rows; a payload that breaks its contract throws here,
 * before anything is written.
 *
 * @example
 * const events = prepareEvents([{ subject: 'expiration.completed', data: { orderId } }]);
 * events.envelopes[0]?.id; // the event id, also the message id on the bus
 */
export function prepareEvents(events: OutgoingEvent[]): PreparedEvents {
  const envelopes = events.map(({ subject, data }) => envelopeOf(subject, data as never) as EventEnvelope);
  const headers = JSON.stringify({ traceparent: outgoingTraceparent() });
  return {
    envelopes,
    rows: envelopes.map((envelope) => ({
      event_id: envelope.id,
      subject: envelope.subject,
      envelope: JSON.stringify(envelope),
      headers,
    })),
  };
}

/**
 * Records events in the outbox as part of `trx`, in one statement: they are published if and only if the
 * transaction commits. This, or `enqueueWith` in a single statement, is the only way events leave a service.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.deleteFrom('expirations').where('order_id', 'in', orderIds).execute();
 *   await enqueueAll(
 *     trx,
 *     orderIds.map((orderId) => ({ subject: 'expiration.completed', data: { orderId } })),
 *   );
 * });
 */
export async function enqueueAll<DB extends BusTables>(
  trx: Transaction<DB>,
  events: OutgoingEvent[],
): Promise<EventEnvelope[]> {
  const { envelopes, rows } = prepareEvents(events);
  await withBusTables(trx).insertInto('outbox').values(rows).execute();
  return envelopes;
}

/**
 * Records one event in the outbox as part of `trx`; see `enqueueAll`. The payload's type follows from the
 * subject, so a wrong payload does not compile.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.updateTable('orders').set({ status: 'complete', version: 2 }).where('id', '=', id).execute();
 *   await enqueue(trx, 'orders.completed', { id, version: 2, paymentId });
 * });
 */
export async function enqueue<DB extends BusTables, S extends Subject>(
  trx: Transaction<DB>,
  subject: S,
  data: EventData<S>,
): Promise<EventEnvelope<S>> {
  const [envelope] = await enqueueAll(trx, [{ subject, data } as OutgoingEvent]);
  return envelope as EventEnvelope<S>;
}

/**
 * The outbox insert of `events` as a common table expression, for a change made in one statement without a
 * transaction around it: the rows are inserted only if the expression named `onlyIf` (the change, with
 * RETURNING) yields a row, and a single statement commits or fails as a whole. It saves the BEGIN and COMMIT
 * round trips on a hot path.
 *
 * @example
 * const events = prepareEvents([{ subject: 'expiration.completed', data: { orderId } }]);
 * await db
 *   .with('removed', (db) =>
 *     db.deleteFrom('expirations').where('order_id', '=', orderId).returning('order_id'),
 *   )
 *   .with('announced', (db) => enqueueWith(db, events, 'removed'))
 *   .selectFrom('removed')
 *   .selectAll()
 *   .execute();
 */
export function enqueueWith<DB extends BusTables>(
  db: QueryCreator<DB>,
  events: PreparedEvents,
  onlyIf: string,
) {
  return (db as unknown as QueryCreator<BusTables>)
    .insertInto('outbox')
    .columns(['event_id', 'subject', 'envelope', 'headers'])
    .expression(
      // The rows' headers are already serialized: read as text, then parsed, so that they are stored as the
      // object they describe and not as a JSON string.
      sql`select r.event_id, r.subject, r.envelope, r.headers::jsonb
        from jsonb_to_recordset(${JSON.stringify(events.rows)}::jsonb)
        as r(event_id uuid, subject text, envelope text, headers text)
        where exists (select from ${sql.table(onlyIf)})`,
    );
}
