/** How long `waitFor` polls, how often, and what the timeout message calls the condition. */
export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  description?: string;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after the deadline.
 * Tests wait on conditions this way instead of sleeping.
 *
 * @example
 * const receipt = await waitFor(
 *   () => db.selectFrom('receipts').selectAll().where('order_id', '=', orderId).executeTakeFirst(),
 *   { description: 'the receipt', timeoutMs: 5_000 },
 * );
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 20, description = 'condition' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
