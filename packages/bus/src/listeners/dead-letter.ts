import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import type { Bus } from '../bus';
import { deadLetterSubject, type Subject } from '@ticketing/contracts';

/**
 * Headers a dead letter carries besides the original message's own: why it was parked, by which consumer,
 * and where the original is in its stream, so that it can be looked into and replayed.
 *
 * @example
 * const reason = deadLetter.headers?.get(DeadLetterHeaders.Reason); // 'handler failed 5 times: ...'
 */
export const DeadLetterHeaders = {
  Reason: 'Ticketing-Dlq-Reason',
  Consumer: 'Ticketing-Dlq-Consumer',
  Deliveries: 'Ticketing-Dlq-Deliveries',
  OriginalSubject: 'Ticketing-Dlq-Subject',
  StreamSequence: 'Ticketing-Dlq-Stream-Sequence',
} as const;

/**
 * Parks a message the consumer gave up on at `dlq.<subject>`: the original bytes unchanged (so it can be
 * replayed as it was) and why, in headers. The msgID makes a retry after a crash publish it only once.
 */
export async function publishDeadLetter(
  bus: Bus,
  subject: Subject,
  consumer: string,
  msg: JsMsg,
  reason: string,
) {
  const headers = natsHeaders();
  for (const name of msg.headers?.keys() ?? []) {
    if (name === 'Nats-Msg-Id') continue;
    for (const value of msg.headers?.values(name) ?? []) headers.append(name, value);
  }
  headers.set(DeadLetterHeaders.Reason, reason.replace(/[\r\n]+/g, ' ').slice(0, 2000));
  headers.set(DeadLetterHeaders.Consumer, consumer);
  headers.set(DeadLetterHeaders.Deliveries, String(msg.info.deliveryCount));
  headers.set(DeadLetterHeaders.OriginalSubject, subject);
  headers.set(DeadLetterHeaders.StreamSequence, String(msg.info.streamSequence));
  await bus.js.publish(bus.wireSubject(deadLetterSubject(subject)), msg.data, {
    headers,
    msgID: `${consumer}:${msg.info.stream}:${msg.info.streamSequence}`,
  });
}
