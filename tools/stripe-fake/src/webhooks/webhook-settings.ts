export interface WebhookSettings {
  /** Where events are POSTed; null sends nothing (events are still recorded and listable). */
  url: string | null;
  /** Signs every delivery, as the `whsec_...` secret of a Stripe webhook endpoint does. */
  secret: string;
  /** Send every event twice, as Stripe occasionally does. */
  duplicate: boolean;
  /** Send each batch of events (those of one request, or all held ones on flush) in reverse order. */
  outOfOrder: boolean;
  /** Attempts per delivery, the first included, before giving up. */
  maxAttempts: number;
  /** Wait before the first retry; each further retry waits twice as long as the one before. */
  retryDelayMs: number;
}
