import { createHash } from 'node:crypto';

/**
 * A UUID derived from `parts`: the same parts give the same id. A request's retry (same caller, same
 * Idempotency-Key, same body) finds what the first one made by it, even when the first one's answer was
 * lost with its process.
 *
 * @example
 * derivedId(['alice', 'key-1', orderId]) === derivedId(['alice', 'key-1', orderId]); // true
 */
export function derivedId(parts: unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16);
  // Shaped as a UUID, as the columns and the API expect: version 8 (custom), RFC 9562 variant.
  digest[6] = ((digest[6] as number) & 0x0f) | 0x80;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
  const hex = digest.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
