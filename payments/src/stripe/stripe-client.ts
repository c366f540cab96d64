import Stripe from 'stripe';
import type { PaymentsConfig } from '../config';

const clients = new WeakMap<PaymentsConfig, Stripe>();

/**
 * The service's Stripe SDK client: network failures retried twice (safe: every POST carries an idempotency
 * key) and bounded by a timeout. STRIPE_API_URL points it elsewhere, such as the project's Stripe fake;
 * nothing else in the service knows the difference.
 */
export function stripeClient(config: PaymentsConfig): Stripe {
  let client = clients.get(config);
  if (!client) {
    const api = config.STRIPE_API_URL ? new URL(config.STRIPE_API_URL) : undefined;
    client = new Stripe(config.STRIPE_SECRET_KEY, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      appInfo: { name: 'ticketing-payments' },
      ...(api && {
        host: api.hostname,
        port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
        protocol: api.protocol === 'https:' ? 'https' : 'http',
      }),
    });
    clients.set(config, client);
  }
  return client;
}
