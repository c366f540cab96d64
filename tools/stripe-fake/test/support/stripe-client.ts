import Stripe from 'stripe';
import type { StripeFake } from '../../src';

/** The official SDK pointed at the fake, without retries so that every request is seen exactly once. */
export function stripeClient(fake: StripeFake, apiKey = 'sk_test_fake'): Stripe {
  return new Stripe(apiKey, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
}
