/** What the browser needs to know at run time, served as `/config.json` (never a secret). */
export interface ClientSettings {
  /** `development`: a name and an admin box get a token from the entry point; `token`: paste one. */
  signIn: 'development' | 'token';
  /** Where a production user gets a token (the identity provider's page), shown beside the paste box. */
  identityProviderUrl: string | null;
  /** With a key, cards are entered in Stripe Elements and 3-D Secure runs in Stripe.js. */
  stripePublishableKey: string | null;
  /** The local Stripe fake, whose 3-D Secure page the client shows when there is no publishable key. */
  stripeFakeUrl: string | null;
}

const PUBLISHABLE_KEY = /^pk_(test|live)_\w+$/;

/** The settings from the environment; a malformed value stops the start-up, naming its variable. */
export function clientSettingsFrom(env: Record<string, string | undefined>): ClientSettings {
  const publishableKey = env.STRIPE_PUBLISHABLE_KEY || null;
  if (publishableKey && !PUBLISHABLE_KEY.test(publishableKey)) {
    throw new Error('STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_test_... or pk_live_...)');
  }
  const developmentSignIn = env.DEVELOPMENT_SIGN_IN === 'true';
  if (developmentSignIn && !env.JWT_KEY) {
    throw new Error('DEVELOPMENT_SIGN_IN=true needs JWT_KEY, the key the services verify tokens with');
  }
  return {
    signIn: developmentSignIn ? 'development' : 'token',
    identityProviderUrl: urlOrNull(env, 'IDENTITY_PROVIDER_URL'),
    stripePublishableKey: publishableKey,
    stripeFakeUrl: urlOrNull(env, 'STRIPE_FAKE_URL'),
  };
}

function urlOrNull(env: Record<string, string | undefined>, name: string): string | null {
  const value = env[name];
  if (!value) return null;
  if (!URL.canParse(value)) throw new Error(`${name} must be a URL`);
  return value;
}
