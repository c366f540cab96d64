import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';

/** The caller, from a valid token: `sub` (or `id`) and `roles`. */
export interface CurrentUser {
  id: string;
  roles: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    currentUser?: CurrentUser;
    /** The unparsed body, kept for signature checks such as Stripe's webhooks. */
    rawBody?: Buffer;
  }
}

/** How tokens are checked: one of `jwtKey` and `jwksUrl`, and the claims to require. */
export interface AuthenticationOptions {
  /** Shared secret for HS256 tokens, as the course's auth service issued. */
  jwtKey?: string;
  /** An identity provider's key set, for asymmetric tokens. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

/**
 * How long a verified token is trusted without checking its signature again: a client sends the same token
 * with every request, and verifying it was a tenth of a request's CPU. Short, so that a key withdrawn from
 * the key set stops being honoured within a minute; never past the token's own expiry.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKENS_CACHED = 10_000;

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** The token from `Authorization: Bearer` or from the course's cookie-session cookie `{ "jwt": ... }`. */
function tokenFrom(authorization: string | undefined, cookieHeader: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return bearer;
  const session = cookieHeader
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith('session='))
    ?.slice('session='.length);
  if (!session) return undefined;
  try {
    const { jwt } = JSON.parse(Buffer.from(decodeURIComponent(session), 'base64').toString('utf8')) as {
      jwt?: unknown;
    };
    return typeof jwt === 'string' ? jwt : undefined;
  } catch {
    return undefined;
  }
}

/** A user id we can store and show: no control characters (PostgreSQL refuses NUL), and not unbounded. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const STORABLE_ID = /^[^\u0000-\u001f\u007f]{1,255}$/;

function userFrom(payload: JWTPayload): CurrentUser | undefined {
  const id = payload.sub ?? (typeof payload.id === 'string' ? payload.id : undefined);
  // A validly signed token naming an impossible user is treated as no token: a 401, not a failed insert.
  if (!id || !STORABLE_ID.test(id)) return undefined;
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((role) => typeof role === 'string') : [];
  return { id, roles };
}

/**
 * Sets `req.currentUser` from a valid token and leaves it unset otherwise (no token, bad signature,
 * expired, `alg: none`, malformed); `requireAuth` turns the latter into a 401. It never answers itself, so
 * that public routes serve callers with and without a token alike.
 *
 * @example
 * app.use(currentUser({ jwtKey: config.JWT_KEY, jwksUrl: config.JWKS_URL, audience: config.JWT_AUDIENCE }));
 */
export function currentUser(options: AuthenticationOptions): RequestHandler {
  let verify: (token: string) => Promise<JWTPayload>;
  const claims = { issuer: options.issuer, audience: options.audience };
  if (options.jwksUrl) {
    const keySet: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl));
    verify = async (token) =>
      (await jwtVerify(token, keySet, { ...claims, algorithms: ASYMMETRIC_ALGORITHMS })).payload;
  } else if (options.jwtKey) {
    // Imported once: handing jose the raw bytes would import the key again on every request.
    const secret = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(options.jwtKey),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    verify = async (token) =>
      (await jwtVerify(token, await secret, { ...claims, algorithms: ['HS256'] })).payload;
  } else {
    throw new Error('currentUser needs a JWT_KEY or a JWKS_URL');
  }
  const verified = new LRUCache<string, { user: CurrentUser | undefined }>({
    max: VERIFIED_TOKENS_CACHED,
    ttl: VERIFIED_TOKEN_TTL_MS,
  });
  return (req, _res, next) => {
    const token = tokenFrom(req.headers.authorization, req.headers.cookie);
    if (!token) return next();
    const known = verified.get(token);
    if (known) {
      req.currentUser = known.user;
      return next();
    }
    verify(token).then(
      (payload) => {
        req.currentUser = userFrom(payload);
        const lifetimeMs =
          payload.exp === undefined ? VERIFIED_TOKEN_TTL_MS : payload.exp * 1000 - Date.now();
        if (lifetimeMs > 0) {
          verified.set(
            token,
            { user: req.currentUser },
            { ttl: Math.min(lifetimeMs, VERIFIED_TOKEN_TTL_MS) },
          );
        }
        next();
      },
      (error: Error) => {
        req.log?.debug({ reason: error.message }, 'rejected token');
        next();
      },
    );
  };
}
