import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeState } from './fake-state';
import { ApiKeyPolicy } from './http/api-keys';
import { ApiPipeline } from './http/api-pipeline';
import { apiRouter } from './http/api-router';
import { controlRouter } from './http/control-router';
import { createApp } from './http/create-app';
import { IdempotencyKeys } from './http/idempotency-keys';
import { RequestFailures, type FailureOptions, type FailureSettings } from './http/request-failures';
import { newWebhookSecret } from './ids';
import type { Ledger } from './ledger';
import type { AuthenticationOutcome } from './resources/payment-attempts';
import type { PaymentIntent } from './resources/payment-intent';
import type { Refund } from './resources/refund';
import type { RefundSettlement, SettlementOutcome } from './resources/refunds';
import { NO_REQUEST } from './resources/stripe-event';
import { WebhookSender, type WebhookControls } from './webhooks/webhook-sender';

export interface StripeFakeOptions {
  /** 0, the default, takes a free port. */
  port?: number;
  /** Accept only this secret key; by default any test-mode key (`sk_test_...`) is accepted. */
  apiKey?: string;
  /** Where to POST events; without it they are only recorded (and listable at `/v1/events`). */
  webhookUrl?: string;
  /** Signs webhooks; by default a random `whsec_...`, readable at `fake.webhooks.settings().secret`. */
  webhookSecret?: string;
  /** Attempts per webhook delivery, the first included. Default 5. */
  webhookMaxAttempts?: number;
  /** Wait before the first webhook retry, doubling for each further one. Default 1000 ms. */
  webhookRetryDelayMs?: number;
  /** Simulated Stripe latency added to every `/v1` request. Default 0. */
  latencyMs?: number;
}

const HOST = '127.0.0.1';

/**
 * A stateful fake of Stripe's PaymentIntents, Refunds, Events and webhooks, on 127.0.0.1. Point the SDK at it
 * with `new Stripe(key, { host: fake.host, port: fake.port, protocol: 'http' })`; drive its test controls
 * from here or over HTTP under `/_fake` (see the README).
 */
export class StripeFake {
  readonly host = HOST;
  readonly url: string;
  /** Test controls over webhook delivery: endpoint, duplicates, order, pause and flush, attempts so far. */
  readonly webhooks: WebhookControls;
  private readonly sender: WebhookSender;
  private readonly state: FakeState;
  private readonly idempotencyKeys = new IdempotencyKeys();
  private readonly requestFailures = new RequestFailures();
  private latency: number;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: StripeFakeOptions,
  ) {
    this.url = `http://${HOST}:${port}`;
    this.latency = options.latencyMs ?? 0;
    this.sender = new WebhookSender(
      {
        url: options.webhookUrl ?? null,
        secret: options.webhookSecret ?? newWebhookSecret(),
        duplicate: false,
        outOfOrder: false,
        maxAttempts: options.webhookMaxAttempts ?? 5,
        retryDelayMs: options.webhookRetryDelayMs ?? 1000,
      },
      (eventId) => this.state.events.markDelivered(eventId),
    );
    this.webhooks = this.sender;
    this.state = new FakeState(this.sender, (id) => `${this.url}/_fake/payment_intents/${id}/authenticate`);
    const pipeline = new ApiPipeline({
      apiKeys: new ApiKeyPolicy(options.apiKey),
      idempotencyKeys: this.idempotencyKeys,
      lookup: (id) => this.state.findObject(id),
      latencyMs: () => this.latency,
      failures: this.requestFailures,
    });
    server.on('request', createApp(apiRouter(this.state, pipeline), controlRouter(this)));
  }

  static async start(options: StripeFakeOptions = {}): Promise<StripeFake> {
    const server = createServer();
    server.listen(options.port ?? 0, HOST);
    await once(server, 'listening');
    return new StripeFake(server, (server.address() as AddressInfo).port, options);
  }

  get latencyMs(): number {
    return this.latency;
  }

  setLatency(ms: number): void {
    this.latency = ms;
  }

  /** The failures injected into `/v1` requests, with the seed in use and the forced failures still to come. */
  get failures(): FailureSettings {
    return this.requestFailures.settings();
  }

  /**
   * Makes `/v1` requests fail as Stripe and networks do, for chaos tests: `error` answers Stripe's 500 without
   * doing anything; `drop` does the work and then cuts the connection without answering. The `next` requests
   * fail for sure, then each with probability `rate`, drawn from a source seeded with `seed`.
   */
  setFailures(options: FailureOptions): void {
    this.requestFailures.configure(options);
  }

  /** An intent as it stands, or undefined when there is none by that id. */
  paymentIntent(id: string): PaymentIntent | undefined {
    const intent = this.state.paymentIntents.find(id);
    return intent && structuredClone(intent);
  }

  /** Completes (`succeed`) or fails the 3-D Secure challenge of an intent in `requires_action`. */
  authenticate(paymentIntentId: string, outcome: AuthenticationOutcome): PaymentIntent {
    return structuredClone(this.state.paymentIntents.authenticate(paymentIntentId, outcome, NO_REQUEST));
  }

  /** When refunds settle: `immediate` (the default, as in Stripe's test mode) or `pending` until `settleRefund`. */
  get refundSettlement(): RefundSettlement {
    return this.state.refunds.settlement;
  }

  /**
   * `pending` keeps every refund made from now on `pending`, as live refunds can be, until `settleRefund` gives
   * it an outcome; `immediate` goes back to Stripe's test-mode behaviour.
   */
  setRefundSettlement(settlement: RefundSettlement): void {
    this.state.refunds.setSettlement(settlement);
  }

  /**
   * Settles a refund still waiting for its outcome, as the card network would: `succeed`, or `fail`, which
   * gives the amount back to the charge. Sends the events Stripe sends (`refund.updated`, `refund.failed`,
   * `charge.refund.updated`).
   */
  settleRefund(refundId: string, outcome: SettlementOutcome): Refund {
    return structuredClone(this.state.refunds.settle(refundId, outcome, NO_REQUEST));
  }

  /** Every charge attempt with what it captured and what was refunded of it. */
  ledger(): Ledger {
    return this.state.ledger();
  }

  /**
   * Forgets every object, event, idempotency key and pending webhook, and turns the test switches (duplicate,
   * out of order, pause, latency, failures, refund settlement) back to how the fake started. The webhook
   * endpoint and secret are kept.
   */
  reset(): void {
    this.state.clear();
    this.idempotencyKeys.clear();
    this.sender.reset();
    this.latency = this.options.latencyMs ?? 0;
    this.requestFailures.configure({ mode: 'none' });
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    // The SDK keeps connections alive; without this, close() would wait for them to time out.
    this.server.closeAllConnections();
    this.state.stop();
    await Promise.all([closed, this.sender.stop()]);
  }
}
