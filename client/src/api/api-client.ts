import { currentToken } from '../auth/session';
import { ApiError, type ApiProblem } from './api-error';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
}

/** How often a 503 (a service restarting, a database away) is retried before the caller sees it. */
const UNAVAILABLE_RETRIES = 3;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function problemsOf(body: unknown): ApiProblem[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? (errors as ApiProblem[]) : [];
}

/**
 * Calls the public API with the signed-in user's token and answers its JSON. A 503 is waited out as its
 * Retry-After asks, a few times; other failures become an ApiError with the API's field errors.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = currentToken();
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (response.status === 503 && attempt < UNAVAILABLE_RETRIES) {
      const retryAfter = Number(response.headers.get('Retry-After') ?? 1);
      await delay(Math.min(Number.isFinite(retryAfter) ? retryAfter : 1, 5) * 1000);
      continue;
    }
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, problemsOf(body), body);
    return body as T;
  }
}
