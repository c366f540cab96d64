import { z } from 'zod';
import { CONTRACTS_VERSION, eventContracts, subjects, type Subject } from './event-contracts';
import { deadLetterSubject, streamOf } from './event-streams';

const envelopeDescription =
  'Every message is an envelope { id, subject, occurredAt, data }. `id` is a UUID, also sent as the Nats-Msg-Id header; ' +
  'a traceparent header carries the W3C trace context. Events that change an aggregate carry its `version` after the ' +
  'change: apply version N only when holding N-1.';

function messageName(subject: Subject): string {
  return subject
    .split('.')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

function envelopeSchema(subject: Subject) {
  return z.object({
    id: z.uuid().describe('event id; also the Nats-Msg-Id header'),
    subject: z.literal(subject),
    occurredAt: z.iso.datetime({ offset: true }),
    data: eventContracts[subject],
  });
}

/**
 * The AsyncAPI 3 document outside subscribers read: every subject, its stream and its payload, generated
 * from the same zod schemas the services validate with. The committed `events.asyncapi.json` is its output
 * (`npm run events:document -w packages/contracts`).
 *
 * @example
 * writeFileSync('events.asyncapi.json', `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
 */
export function buildAsyncApiDocument() {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const subject of subjects) {
    const name = messageName(subject);
    messages[name] = {
      name,
      title: subject,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', format: 'uuid' },
          traceparent: { type: 'string' },
        },
      },
      payload: z.toJSONSchema(envelopeSchema(subject), { target: 'draft-2020-12', io: 'input' }),
    };
    channels[name] = {
      address: subject,
      description: `Stream ${streamOf(subject)}. Messages a consumer gives up on go to ${deadLetterSubject(subject)}.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive${name}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${name}` },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Ticketing events',
      version: CONTRACTS_VERSION,
      description: envelopeDescription,
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
