import { createHash } from 'node:crypto';
import { StripeError, stripeErrorBody } from '../stripe-error';
import type { JsonResponse } from './json-response';

/** A stored first response, with the id of the request that produced it. */
export interface RecordedResponse extends JsonResponse {
  requestId: string;
}

/** The right to run a keyed request: whoever holds it must record the response, or give the key up. */
export interface IdempotencyClaim {
  complete(response: RecordedResponse): void;
  /** Forgets the key, as Stripe does for a request refused before its endpoint began: a retry runs afresh. */
  release(): void;
}

interface KeyEntry {
  fingerprint: string;
  createdAtMs: number;
  /** Absent while the first request is still running. */
  response?: RecordedResponse;
}

const MAX_KEY_LENGTH = 255;
/** Stripe forgets keys after 24 hours; so does the fake, which keeps a long-running fake's memory flat. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Stripe's idempotent requests (https://docs.stripe.com/api/idempotent_requests): the response of the first
 * POST with a key is kept once its endpoint has begun, whatever it is, 500s included; the same key with the
 * same method, path and parameters replays it; with different ones it is an `idempotency_error`; while the
 * first is still running, a second is refused with a 409. Keys are scoped to the API key.
 */
export class IdempotencyKeys {
  private readonly entries = new Map<string, KeyEntry>();

  begin(
    apiKey: string,
    key: string,
    fingerprint: string,
  ): { replay: RecordedResponse } | { claim: IdempotencyClaim } {
    if (key.length > MAX_KEY_LENGTH) {
      throw StripeError.invalidRequest(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long.`);
    }
    this.forgetExpired();
    const scopedKey = `${apiKey} ${key}`;
    const existing = this.entries.get(scopedKey);
    if (existing === undefined) {
      const entry: KeyEntry = { fingerprint, createdAtMs: Date.now() };
      this.entries.set(scopedKey, entry);
      return {
        claim: {
          complete: (response) => {
            entry.response = response;
          },
          release: () => {
            // After a reset the key may already belong to a newer request.
            if (this.entries.get(scopedKey) === entry) this.entries.delete(scopedKey);
          },
        },
      };
    }
    if (existing.fingerprint !== fingerprint) {
      throw new StripeError(
        400,
        stripeErrorBody(
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used ' +
            `with. Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      );
    }
    if (existing.response === undefined) {
      throw new StripeError(
        409,
        stripeErrorBody(
          'idempotency_error',
          'There is currently another in-progress request using this Idempotency-Key (that probably means ' +
            'you submitted twice, and the other request is still being processed): ' +
            `'${key}'. Please try again later.`,
          { code: 'idempotency_key_in_use' },
        ),
      );
    }
    return { replay: existing.response };
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries are in creation order, so the expired ones are at the front. */
  private forgetExpired(): void {
    const cutoff = Date.now() - KEY_LIFETIME_MS;
    for (const [scopedKey, entry] of this.entries) {
      if (entry.createdAtMs > cutoff) return;
      this.entries.delete(scopedKey);
    }
  }
}

/** What makes two requests "the same" for a key: method, path and parameters, whatever their order. */
export function requestFingerprint(method: string, path: string, params: object): string {
  return createHash('sha256')
    .update(`${method} ${path} ${canonicalJson(params)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
