import { z } from 'zod';
import { eventContracts, type EventData, type Subject } from './event-contracts';

/** What travels on the bus: the payload wrapped with its identity and time. */
export interface EventEnvelope<S extends Subject = Subject> {
  /** UUID, also sent as the Nats-Msg-Id header so the server drops re-published copies. */
  id: string;
  subject: S;
  occurredAt: string;
  data: EventData<S>;
}

const envelopeShape = z.object({
  id: z.uuid(),
  subject: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
});

/** What `parseEnvelope` found: the typed envelope, or why the message breaks the contract (and its id). */
export type EnvelopeParseResult<S extends Subject> =
  { ok: true; envelope: EventEnvelope<S> } | { ok: false; reason: string; id?: string };

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * Validates raw bytes received for `subject` against the envelope and the subject's contract. It returns
 * rather than throws: a message that breaks the contract is input to park (a dead letter, with the reason
 * and, when readable, the event id), not a bug of the receiver.
 *
 * @example
 * const result = parseEnvelope('payments.created', msg.data);
 * if (result.ok) {
 *   const { orderId, amount, currency } = result.envelope.data;
 *   console.log(`order ${orderId} paid: ${formatMinorUnits(amount, currency)} ${currency}`);
 * } else {
 *   console.warn(`rejected ${result.id ?? 'a message'}: ${result.reason}`);
 * }
 */
export function parseEnvelope<S extends Subject>(
  subject: S,
  raw: Uint8Array | string,
): EnvelopeParseResult<S> {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  const outer = envelopeShape.safeParse(json);
  if (!outer.success) return { ok: false, reason: `invalid envelope: ${describeIssues(outer.error)}` };
  const { id, occurredAt } = outer.data;
  if (outer.data.subject !== subject) {
    return { ok: false, id, reason: `envelope subject "${outer.data.subject}" does not match "${subject}"` };
  }
  const data = eventContracts[subject].safeParse(outer.data.data);
  if (!data.success)
    return { ok: false, id, reason: `invalid ${subject} payload: ${describeIssues(data.error)}` };
  return { ok: true, envelope: { id, subject, occurredAt, data: data.data as EventData<S> } };
}
