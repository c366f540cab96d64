import { ConfigError, loadConfig } from '@ticketing/service';
import { paymentsConfig } from '../src/config';

const env = {
  DATABASE_URL: 'postgres://ticketing@db:5432/payments',
  NATS_URL: 'nats://nats:4222',
  JWT_KEY: 'a-key-of-sixteen-chars',
  STRIPE_SECRET_KEY: 'sk_test_51abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
};

describe("the payments service's configuration", () => {
  it('needs Stripe keys of the right kind and has safe defaults for the rest', () => {
    const config = loadConfig(paymentsConfig, env);
    expect(config).toMatchObject({
      PAYMENT_ATTEMPT_HOLD_SECONDS: 5,
      PAYMENT_ORDER_WAIT_MS: 5_000,
      PAYMENT_RECONCILE_INTERVAL_SECONDS: 5,
      STRIPE_EVENT_RETENTION_DAYS: 30,
    });
    expect(config.STRIPE_API_URL).toBeUndefined();
  });

  it('refuses a publishable key for the secret one, without printing either', () => {
    const attempt = () => loadConfig(paymentsConfig, { ...env, STRIPE_SECRET_KEY: 'pk_live_leaked' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/STRIPE_SECRET_KEY: must be a Stripe secret key/);
    expect(attempt).not.toThrow(/pk_live_leaked/);
  });

  it('keeps Stripe events longer than Stripe retries webhooks (three days)', () => {
    expect(() => loadConfig(paymentsConfig, { ...env, STRIPE_EVENT_RETENTION_DAYS: '3' })).toThrow(
      /STRIPE_EVENT_RETENTION_DAYS/,
    );
  });
});
