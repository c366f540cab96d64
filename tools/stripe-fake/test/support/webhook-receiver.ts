import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface ReceivedWebhook {
  rawBody: string;
  signature: string;
  /** The parsed event, unverified; verify with `verify`. */
  event: Stripe.Event;
}

/** A local webhook endpoint that records what it receives and answers with statuses the test chooses. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly plannedStatuses: number[] = [];
  /** Responses wait for this, so a test can keep deliveries unanswered. */
  private gate: Promise<void> = Promise.resolve();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          rawBody,
          signature: String(req.headers['stripe-signature']),
          event: JSON.parse(rawBody) as Stripe.Event,
        });
        const status = this.plannedStatuses.shift() ?? 200;
        void this.gate.then(() => {
          res.statusCode = status;
          res.end();
        });
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`);
  }

  /** The next requests get these statuses, in order; after them, 200. */
  respondWith(...statuses: number[]): void {
    this.plannedStatuses.push(...statuses);
  }

  /** Leaves deliveries unanswered until the returned function is called. */
  holdResponses(): () => void {
    let release = () => {};
    this.gate = new Promise((resolve) => (release = resolve));
    return release;
  }

  types(): string[] {
    return this.received.map(({ event }) => event.type);
  }

  /** Verifies a delivery as an integration would, throwing on a bad signature. */
  verify(webhook: ReceivedWebhook, secret: string): Stripe.Event {
    return Stripe.webhooks.constructEvent(webhook.rawBody, webhook.signature, secret);
  }

  clear(): void {
    this.received.length = 0;
    this.plannedStatuses.length = 0;
    this.gate = Promise.resolve();
  }

  async stop(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }
}
