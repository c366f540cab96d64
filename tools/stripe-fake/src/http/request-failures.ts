import { randomInt } from 'node:crypto';
import { MAX_SEED, seededRandom } from '../seeded-random';
import { StripeError, stripeErrorBody } from '../stripe-error';

export const FAILURE_MODES = ['error', 'drop'] as const;
/** `error`: Stripe answers 500 having done nothing. `drop`: Stripe does the work, but its answer is lost. */
export type FailureMode = (typeof FAILURE_MODES)[number];

/** What `setFailures` takes. `none`, or a rate and a count of 0, turns failures off. */
export type FailureOptions =
  | { mode: 'none' }
  | {
      mode: FailureMode;
      /** Probability, from 0 to 1, that a request fails. Default 0. */
      rate?: number;
      /** Fail exactly this many requests first, whatever the rate. Default 0. */
      next?: number;
      /** Seeds the random source behind `rate`, to replay a chaos run. Default: a random seed. */
      seed?: number;
    };

export interface FailureSettings {
  /** `none` exactly when no request will fail. */
  mode: FailureMode | 'none';
  rate: number;
  /** Forced failures still to come. */
  next: number;
  /** The seed in use, so that a run with random failures can be repeated; null when off. */
  seed: number | null;
}

const OFF: FailureSettings = { mode: 'none', rate: 0, next: 0, seed: null };

/**
 * Failure injection for `/v1` requests. Each failure is decided where it would strike (see ApiPipeline),
 * so `next: n` means exactly n failures, and a seeded run makes the same decisions for the same requests.
 */
export class RequestFailures {
  private current = OFF;
  /** Replaced by a freshly seeded source on every configure; unused while failures are off. */
  private random = seededRandom(0);

  settings(): FailureSettings {
    return { ...this.current };
  }

  configure(options: FailureOptions): void {
    if (options.mode === 'none') {
      this.current = OFF;
      return;
    }
    const seed = options.seed ?? randomInt(MAX_SEED + 1);
    this.random = seededRandom(seed);
    this.settle({ mode: options.mode, rate: options.rate ?? 0, next: options.next ?? 0, seed });
  }

  /** Whether this request fails in `mode`; counts it as one of the `next` if it does. */
  strikes(mode: FailureMode): boolean {
    const current = this.current;
    if (current.mode !== mode) return false;
    if (current.next > 0) {
      this.settle({ ...current, next: current.next - 1 });
      return true;
    }
    return this.random() < current.rate;
  }

  /** Keeps `mode` honest: once nothing more can fail, failures are off. */
  private settle(settings: FailureSettings): void {
    this.current = settings.rate > 0 || settings.next > 0 ? settings : OFF;
  }
}

/** What an `error` failure answers: Stripe's 500 `api_error`, which the SDK raises as `StripeAPIError`. */
export function injectedServerError(): StripeError {
  return new StripeError(
    500,
    stripeErrorBody('api_error', 'An unexpected error occurred on the server (injected by the Stripe fake).'),
  );
}
