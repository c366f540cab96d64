import { useSyncExternalStore } from 'react';

/** Who is signed in, read from the token's claims (the services verify it; the client only displays). */
export interface SignedInUser {
  id: string;
  admin: boolean;
  expiresAt: number | null;
}

const STORAGE_KEY = 'ticketing.token';
const listeners = new Set<() => void>();

function claimsOf(token: string): { sub?: unknown; roles?: unknown; exp?: unknown } | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
  } catch {
    return null;
  }
}

/** The user a token names, or null when it is not a JWT with a subject or has expired. */
export function userOf(token: string): SignedInUser | null {
  const claims = claimsOf(token);
  if (!claims || typeof claims.sub !== 'string') return null;
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= Date.now()) return null;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  return { id: claims.sub, admin: roles.includes('admin'), expiresAt };
}

/**
 * EventSource cannot send an Authorization header: the API also takes the token from the `session`
 * cookie (the course's cookie-session shape, base64 JSON `{ "jwt": ... }`), sent only to the API.
 */
function writeSessionCookie(token: string | null): void {
  const value = token ? btoa(JSON.stringify({ jwt: token })) : '';
  const lifetime = token ? '' : '; Max-Age=0';
  document.cookie = `session=${value}; Path=/api; SameSite=Strict${lifetime}${location.protocol === 'https:' ? '; Secure' : ''}`;
}

export function currentToken(): string | null {
  const token = localStorage.getItem(STORAGE_KEY);
  return token && userOf(token) ? token : null;
}

export function signIn(token: string): SignedInUser {
  const user = userOf(token);
  if (!user) throw new Error('This is not a valid, unexpired token');
  localStorage.setItem(STORAGE_KEY, token);
  writeSessionCookie(token);
  listeners.forEach((listener) => listener());
  return user;
}

export function signOut(): void {
  localStorage.removeItem(STORAGE_KEY);
  writeSessionCookie(null);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The signed-in user, re-rendering on sign-in and sign-out. */
export function useSignedInUser(): SignedInUser | null {
  const token = useSyncExternalStore(subscribe, currentToken);
  return token ? userOf(token) : null;
}

/** A page reloaded with a token in storage but no cookie (cleared, or another path) gets it back. */
export function restoreSessionCookie(): void {
  writeSessionCookie(currentToken());
}
