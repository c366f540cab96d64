import { clientSettingsFrom } from '../server/src/client-settings';

describe('the client server’s settings', () => {
  it('offers the development sign-in only when it is turned on with a key to sign with', () => {
    expect(clientSettingsFrom({ DEVELOPMENT_SIGN_IN: 'true', JWT_KEY: 'k' }).signIn).toBe('development');
    expect(clientSettingsFrom({ JWT_KEY: 'k' }).signIn).toBe('token');
    expect(() => clientSettingsFrom({ DEVELOPMENT_SIGN_IN: 'true' })).toThrow(/JWT_KEY/);
  });

  it('names the variable that is malformed', () => {
    expect(() => clientSettingsFrom({ STRIPE_PUBLISHABLE_KEY: 'sk_test_secret' })).toThrow(
      /STRIPE_PUBLISHABLE_KEY/,
    );
    expect(() => clientSettingsFrom({ IDENTITY_PROVIDER_URL: 'not a url' })).toThrow(/IDENTITY_PROVIDER_URL/);
    expect(clientSettingsFrom({ STRIPE_PUBLISHABLE_KEY: 'pk_test_abc123' }).stripePublishableKey).toBe(
      'pk_test_abc123',
    );
  });
});
