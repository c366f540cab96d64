import { Collection } from '../collection';
import { newId } from '../ids';
import { LIST_PARAMS, listPage, type ListPage } from '../list-page';
import type { Params } from '../params';
import { unixTime } from '../unix-time';
import { API_VERSION, type EventRequest, type StripeEvent, type StripeEventType } from './stripe-event';

/** Where recorded events go to be sent as webhooks. */
export interface EventSink {
  /** Takes the event for delivery, or declines it (no endpoint configured). */
  accept(event: StripeEvent): boolean;
}

/** The log behind `/v1/events`: every state change is recorded here and handed on for webhook delivery. */
export class Events {
  private readonly events = new Collection<StripeEvent>('event');

  constructor(private readonly sink: EventSink) {}

  record(
    type: StripeEventType,
    object: object,
    request: EventRequest,
    previousAttributes?: object,
  ): StripeEvent {
    const event = this.events.add({
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: unixTime(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes && { previous_attributes: structuredClone(previousAttributes) }),
      },
      livemode: false,
      pending_webhooks: 0,
      request: { ...request },
      type,
    });
    if (this.sink.accept(event)) event.pending_webhooks = 1;
    return event;
  }

  markDelivered(id: string): void {
    const event = this.events.find(id);
    if (event !== undefined) event.pending_webhooks = 0;
  }

  retrieve(id: string, params: Params): StripeEvent {
    params.rejectUnknown([]);
    return this.events.get(id);
  }

  /** `type` may end in `*`, e.g. `payment_intent.*`, as Stripe allows; `types[]` lists exact types. */
  list(params: Params): ListPage<StripeEvent> {
    params.rejectUnknown([...LIST_PARAMS, 'type', 'types']);
    const type = params.string('type');
    const types = params.stringList('types');
    const matching = this.events
      .all()
      .filter((event) => type === undefined || matchesType(type, event.type))
      .filter((event) => types === undefined || types.includes(event.type));
    return listPage(matching, params, '/v1/events', 'event');
  }

  clear(): void {
    this.events.clear();
  }
}

function matchesType(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}
