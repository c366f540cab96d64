import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface JetStreamMessage {
  subject: string;
  data: string;
  /** The message's headers; `Nats-Msg-Id` is set from msgID. */
  headers: MsgHdrs;
  /** Deduplication id: the server drops a second message with the same id within the stream's window. */
  msgID: string;
}

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

interface Pending {
  resolve: (ack: PubAck) => void;
  reject: (error: Error) => void;
}

/**
 * Publishes to JetStream and awaits each PubAck, as `js.publish` does, but through core publishes with
 * replies on one inbox subscription: `js.publish` goes through a core request, which builds a
 * `RequestError`, stack and all, on every publish (even a successful one) — 15% of the relay's CPU. A
 * batch has one timer; every PubAck is checked (stream, sequence number, JetStream error, no responders).
 *
 * @example
 * const publisher = new PubAckPublisher(bus.connection);
 * const outcomes = await publisher.publishBatch([{ subject, data, headers, msgID: eventId }]);
 */
export class PubAckPublisher {
  private subscription?: Subscription;
  private prefix = '';
  private nextToken = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly connection: NatsConnection,
    /** How long a batch waits for its PubAcks; as `js.publish`'s default. */
    private readonly timeoutMs = 5_000,
  ) {}

  private inbox(): string {
    if (!this.subscription || this.subscription.isClosed()) {
      this.prefix = createInbox();
      this.subscription = this.connection.subscribe(`${this.prefix}.*`, {
        callback: (error, msg) => {
          if (!error) this.onReply(msg);
        },
      });
    }
    return this.prefix;
  }

  private onReply(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const waiter = this.pending.get(token);
    if (!waiter) return; // timed out already
    this.pending.delete(token);
    try {
      waiter.resolve(parsePubAck(msg));
    } catch (error) {
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Publishes every message at once and settles with each one's PubAck or failure, in order. */
  async publishBatch(messages: readonly JetStreamMessage[]): Promise<PromiseSettledResult<PubAck>[]> {
    const tokens: string[] = [];
    const acks: Promise<PubAck>[] = [];
    for (const message of messages) {
      acks.push(
        new Promise<PubAck>((resolve, reject) => {
          try {
            const prefix = this.inbox();
            const token = (this.nextToken++).toString(36);
            message.headers.set('Nats-Msg-Id', message.msgID);
            this.pending.set(token, { resolve, reject });
            tokens.push(token);
            this.connection.publish(message.subject, message.data, {
              reply: `${prefix}.${token}`,
              headers: message.headers,
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    }
    const timer = setTimeout(() => {
      for (const token of tokens) {
        const waiter = this.pending.get(token);
        if (!waiter) continue;
        this.pending.delete(token);
        waiter.reject(new Error(`no PubAck within ${this.timeoutMs} ms`));
      }
    }, this.timeoutMs);
    try {
      return await Promise.allSettled(acks);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Unsubscribes; publishes still waiting fail. */
  close(): void {
    for (const waiter of this.pending.values()) waiter.reject(new Error('publisher closed'));
    this.pending.clear();
    if (this.subscription && !this.subscription.isClosed()) this.subscription.unsubscribe();
    this.subscription = undefined;
  }
}

/** The PubAck in a reply, or the failure it reports, as `js.publish` checks it. */
export function parsePubAck(msg: Msg): PubAck {
  if (msg.headers?.hasError) {
    const { code, description } = msg.headers;
    throw new Error(
      code === 503 ? 'no responders: no stream takes this subject' : `publish failed: ${code} ${description}`,
    );
  }
  const reply = JSON.parse(msg.string()) as Partial<PubAck> & {
    error?: { code?: number; err_code?: number; description?: string };
  };
  if (reply.error) {
    throw new Error(
      `JetStream refused the publish: ${reply.error.description ?? 'unknown error'} (${reply.error.err_code ?? reply.error.code})`,
    );
  }
  if (typeof reply.stream !== 'string' || reply.stream === '' || typeof reply.seq !== 'number') {
    throw new Error('invalid PubAck');
  }
  return { stream: reply.stream, seq: reply.seq, duplicate: reply.duplicate === true };
}
