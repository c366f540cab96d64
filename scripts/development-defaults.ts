/**
 * Settings `npm start` uses when the environment gives none. They are for one developer's machine only:
 * a deployment takes its secrets from Kubernetes Secrets.
 */
export const DEVELOPMENT_JWT_KEY = 'development-only-jwt-key-not-a-secret';
