/** Stripe timestamps (`created`, `canceled_at`, signature times) are whole seconds since the epoch. */
export function unixTime(): number {
  return Math.floor(Date.now() / 1000);
}
