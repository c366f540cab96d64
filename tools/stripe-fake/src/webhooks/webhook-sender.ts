import type { EventSink } from '../resources/events';
import type { StripeEvent } from '../resources/stripe-event';
import { unixTime } from '../unix-time';
import type { WebhookSettings } from './webhook-settings';
import { webhookSignature } from './webhook-signature';

/** One attempt to deliver an event to the endpoint. */
export interface WebhookDelivery {
  event_id: string;
  event_type: string;
  attempt: number;
  url: string;
  /** The endpoint's HTTP status, or null when it could not be reached. */
  status: number | null;
  error: string | null;
  attempted_at_ms: number;
}

/** What tests may do with webhook delivery. */
export interface WebhookControls {
  settings(): WebhookSettings;
  /** Changes the given settings; those left out or undefined stay as they are. */
  configure(changes: Partial<WebhookSettings>): WebhookSettings;
  /** Holds events from now on, until `flush`. */
  pause(): void;
  /** Sends every held event as one batch and stops holding; returns how many were held. */
  flush(): number;
  /** Every attempt so far, oldest first. */
  deliveries(): WebhookDelivery[];
}

interface Outgoing {
  event: StripeEvent;
  url: string;
  secret: string;
  /** Aborted when the fake is reset or stopped, which drops the delivery. */
  signal: AbortSignal;
}

const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Sends recorded events to the configured endpoint, signed as Stripe signs them, after the request that
 * caused them has been answered. Failed attempts (non-2xx, unreachable, timed out) are retried with
 * exponential backoff up to `maxAttempts`.
 */
export class WebhookSender implements EventSink, WebhookControls {
  private current: WebhookSettings;
  private paused = false;
  private held: Outgoing[] = [];
  private batch: Outgoing[] = [];
  private batchRelease: NodeJS.Immediate | undefined;
  private firstAttempts = Promise.resolve();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private aborter = new AbortController();
  private log: WebhookDelivery[] = [];

  constructor(
    settings: WebhookSettings,
    private readonly onDelivered: (eventId: string) => void,
  ) {
    this.current = { ...settings };
  }

  accept(event: StripeEvent): boolean {
    const { url, secret } = this.current;
    if (url === null) return false;
    const outgoing = { event, url, secret, signal: this.aborter.signal };
    if (this.paused) {
      this.held.push(outgoing);
      return true;
    }
    this.batch.push(outgoing);
    // Events recorded in one tick come from one request: they form a batch, sent once the request is done.
    this.batchRelease ??= setImmediate(() => {
      this.batchRelease = undefined;
      this.release(this.batch.splice(0));
    });
    return true;
  }

  settings(): WebhookSettings {
    return { ...this.current };
  }

  configure(changes: Partial<WebhookSettings>): WebhookSettings {
    const given = Object.entries(changes).filter(([, value]) => value !== undefined);
    this.current = { ...this.current, ...Object.fromEntries(given) };
    return this.settings();
  }

  pause(): void {
    this.paused = true;
  }

  flush(): number {
    this.paused = false;
    const held = this.held.splice(0);
    this.release(held);
    return held.length;
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((delivery) => ({ ...delivery }));
  }

  /** Drops whatever is queued, held or waiting to be retried, and turns the test switches off. */
  reset(): void {
    this.cancelPending();
    this.log = [];
    this.paused = false;
    this.current = { ...this.current, duplicate: false, outOfOrder: false };
  }

  async stop(): Promise<void> {
    this.cancelPending();
    await this.firstAttempts;
  }

  private cancelPending(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
    clearImmediate(this.batchRelease);
    this.batchRelease = undefined;
    this.batch = [];
    this.held = [];
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private release(batch: readonly Outgoing[]): void {
    const ordered = this.current.outOfOrder ? [...batch].reverse() : batch;
    const deliveries = this.current.duplicate ? [...ordered, ...ordered] : ordered;
    for (const outgoing of deliveries) {
      const payload = JSON.stringify(outgoing.event, null, 2);
      // First attempts go one at a time, so the endpoint sees them in this order; retries run on their own.
      this.firstAttempts = this.firstAttempts.then(() => this.attempt(outgoing, payload, 1));
    }
  }

  private async attempt(outgoing: Outgoing, payload: string, attempt: number): Promise<void> {
    if (outgoing.signal.aborted) return;
    const outcome = await post(outgoing, payload);
    if (outgoing.signal.aborted) return;
    const { event, url } = outgoing;
    this.log.push({
      event_id: event.id,
      event_type: event.type,
      attempt,
      url,
      ...outcome,
      attempted_at_ms: Date.now(),
    });
    if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
      this.onDelivered(event.id);
      return;
    }
    if (attempt >= this.current.maxAttempts) return;
    const timer = setTimeout(
      () => {
        this.retryTimers.delete(timer);
        void this.attempt(outgoing, payload, attempt + 1);
      },
      this.current.retryDelayMs * 2 ** (attempt - 1),
    );
    this.retryTimers.add(timer);
  }
}

async function post(
  { url, secret, signal }: Outgoing,
  payload: string,
): Promise<{ status: number | null; error: string | null }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Stripe-Signature': webhookSignature(payload, secret, unixTime()),
        'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
      signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
    });
    // Only the status matters; discarding the body frees the connection.
    await response.body?.cancel();
    return { status: response.status, error: null };
  } catch (error) {
    return { status: null, error: describeFailure(error) };
  }
}

/**
 * fetch says only "fetch failed" and keeps the reason (e.g. ECONNREFUSED) in `cause`. The error is read by
 * shape rather than class because it may come from another realm (as under jest).
 */
function describeFailure(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { message?: unknown } };
  const text = typeof message === 'string' ? message : String(error);
  return typeof cause?.message === 'string' ? `${text}: ${cause.message}` : text;
}
