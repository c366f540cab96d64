import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(length: number): string {
  // 248 is the largest multiple of 62 below 256; dropping bytes above it keeps the characters uniform.
  let token = '';
  while (token.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && token.length < length) token += ALPHABET[byte % ALPHABET.length];
    }
  }
  return token;
}

/** An object id shaped like Stripe's, e.g. `pi_3QxY...`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}

export function newClientSecret(paymentIntentId: string): string {
  return `${paymentIntentId}_secret_${randomToken(25)}`;
}

export function newRequestId(): string {
  return `req_${randomToken(14)}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomToken(32)}`;
}
