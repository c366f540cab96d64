import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Bus } from '@ticketing/bus';
import type { EventData, Subject, EventEnvelope, StreamName } from '@ticketing/contracts';
import { waitFor, type WaitForOptions } from './wait-for';

/** A message as the recorder read it back from its stream. */
export interface RecordedEvent {
  /** The subject without the bus namespace: `orders.created`, `dlq.orders.created`. */
  subject: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Reads streams back with real JetStream (ordered) consumers, from their first message, so tests assert on
 * what was actually published.
 *
 * @example
 * const recorder = await EventRecorder.start(bus, ['ORDERS', 'DLQ']);
 * const created = await recorder.waitFor('orders.created', (data) => data.ticket.id === ticketId);
 * expect(recorder.events('orders.cancelled')).toHaveLength(0);
 * await recorder.stop();
 */
export class EventRecorder {
  readonly recorded: RecordedEvent[] = [];
  private readonly readers: ConsumerMessages[] = [];

  static async start(bus: Bus, streams: StreamName[]): Promise<EventRecorder> {
    const recorder = new EventRecorder();
    for (const stream of streams) {
      const consumer = await bus.js.consumers.get(bus.streamName(stream));
      const messages = await consumer.consume();
      recorder.readers.push(messages);
      void (async () => {
        for await (const msg of messages) {
          const headers: Record<string, string> = {};
          for (const name of msg.headers?.keys() ?? []) headers[name] = msg.headers?.get(name) ?? '';
          const prefix = bus.namespace ? `${bus.namespace}.` : '';
          recorder.recorded.push({ subject: msg.subject.slice(prefix.length), body: msg.string(), headers });
        }
      })();
    }
    return recorder;
  }

  /** Every envelope published on `subject` so far, in stream order. */
  events<S extends Subject>(subject: S): EventEnvelope<S>[] {
    return this.recorded.filter((event) => event.subject === subject).map((event) => JSON.parse(event.body));
  }

  /** Waits until an event on `subject` satisfies `match`, and returns it. */
  waitFor<S extends Subject>(
    subject: S,
    match: (data: EventData<S>) => boolean = () => true,
    options?: WaitForOptions,
  ): Promise<EventEnvelope<S>> {
    return waitFor(() => this.events(subject).find((event) => match(event.data)), {
      description: `a ${subject} event`,
      ...options,
    });
  }

  async stop(): Promise<void> {
    for (const reader of this.readers) await reader.close();
  }
}
