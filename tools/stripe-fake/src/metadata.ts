import type { Params } from './params';

export type Metadata = Record<string, string>;

const MAX_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;

/**
 * Applies a request's `metadata` the way Stripe does: keys are merged into what is there, a key sent with an
 * empty value is removed, and `metadata=` (empty) clears everything.
 */
export function updateMetadata(current: Metadata, params: Params): Metadata {
  const sent = params.raw('metadata');
  if (sent === undefined) return current;
  if (sent === '' || sent === null) return {};
  if (typeof sent !== 'object' || Array.isArray(sent)) throw params.invalid('metadata', 'Invalid metadata');
  const updated = { ...current };
  for (const [key, value] of Object.entries(sent as Record<string, unknown>)) {
    const param = `metadata[${key}]`;
    if (typeof value !== 'string') throw params.invalid('metadata', `Invalid string: ${param}`);
    if (key.length > MAX_KEY_LENGTH) {
      throw params.invalid('metadata', `Metadata keys can have up to ${MAX_KEY_LENGTH} characters: ${key}`);
    }
    if (value.length > MAX_VALUE_LENGTH) {
      throw params.invalid(
        'metadata',
        `Metadata values can have up to ${MAX_VALUE_LENGTH} characters: ${param}`,
      );
    }
    if (value === '') delete updated[key];
    else updated[key] = value;
  }
  if (Object.keys(updated).length > MAX_KEYS) {
    throw params.invalid('metadata', `Metadata can have up to ${MAX_KEYS} keys`);
  }
  return updated;
}
