import { randomUUID } from 'node:crypto';

/** One answer a client got, for the check that 5xx happen only while something is down. */
export interface Exchange {
  at: number;
  method: string;
  path: string;
  /** The HTTP status, or 0 when no answer came (connection refused or reset). */
  status: number;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  body?: object;
  /** A POST's Idempotency-Key, the same on every retry of the call. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Answers besides 503 and lost connections that mean "not yet": the call is sent again. */
  retryWhile?: (answer: Answer) => boolean;
  /** How long the call is retried before its last answer is returned. */
  giveUpAfterMs?: number;
}

const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 2_000;

/**
 * A well-behaved API client, as a buyer's app would be: it retries a 503 or a lost connection (a POST with
 * the same Idempotency-Key), backing off, and records every answer it got.
 */
export class ChaosClient {
  constructor(
    private readonly baseUrl: string,
    private readonly authorization: string,
    private readonly exchanges: Exchange[],
  ) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const deadline = Date.now() + (options.giveUpAfterMs ?? 90_000);
    const idempotencyKey = options.idempotencyKey ?? (method === 'POST' ? randomUUID() : undefined);
    for (let attempt = 1; ; attempt++) {
      const answer = await this.send(method, path, options, idempotencyKey);
      const again =
        answer.status === 0 ||
        answer.status === 503 ||
        (answer.status === 409 && /in progress/.test(JSON.stringify(answer.body))) ||
        (options.retryWhile?.(answer) ?? false);
      if (!again || Date.now() > deadline) return answer;
      await pause(Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS));
    }
  }

  private async send(
    method: string,
    path: string,
    { body, headers }: CallOptions,
    idempotencyKey: string | undefined,
  ): Promise<Answer> {
    let answer: Answer;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body && { 'content-type': 'application/json' }),
          ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
          ...headers,
        },
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(70_000),
      });
      const text = await response.text();
      answer = { status: response.status, body: text ? safeJson(text) : undefined };
    } catch {
      answer = { status: 0, body: undefined };
    }
    this.exchanges.push({
      at: Date.now(),
      method,
      path: path.replace(/[0-9a-f-]{36}/g, ':id'),
      status: answer.status,
    });
    return answer;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
