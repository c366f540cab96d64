import { connect } from 'node:net';

/**
 * A request exactly as it goes on the wire: nothing here checks or normalises it, so that a fuzzer can send
 * what an HTTP library would refuse to (control characters in a header, a bare `%` in the path, a body
 * that does not match its Content-Encoding).
 */
export interface WireRequest {
  method: string;
  /** The request target, percent-encoded or not: written as UTF-8 bytes. */
  target: string;
  /** In order; repeated names are sent repeatedly. Values are written as UTF-8 bytes. */
  headers: Array<[string, string]>;
  body?: Buffer;
}

export interface WireResponse {
  status: number;
  reason: string;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** A text/event-stream answer: only its head was read, then the connection was closed. */
  streamed: boolean;
}

export class NoResponseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');

function parseHead(head: string): Pick<WireResponse, 'status' | 'reason' | 'headers'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!match)
    throw new NoResponseError(`not an HTTP response: ${JSON.stringify(statusLine)}`, 'EBADRESPONSE');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[1]), reason: match[2] ?? '', headers };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends one request on its own connection (`Connection: close`) and reads the answer. An event stream's
 * answer (`stopAtEventStream`) is read up to its head only. Rejects with `NoResponseError` when no complete
 * answer arrives: the connection refused, reset or cut mid-answer, or nothing within `timeoutMs`.
 */
export function sendRaw(
  baseUrl: string,
  request: WireRequest,
  { timeoutMs = 10_000, stopAtEventStream = false } = {},
): Promise<WireResponse> {
  const url = new URL(baseUrl);
  const lines = [
    `${request.method} ${request.target} HTTP/1.1`,
    `Host: ${url.host}`,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    ...(request.body ? [`Content-Length: ${request.body.length}`] : []),
    'Connection: close',
  ];
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');

  return new Promise<WireResponse>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let received = Buffer.alloc(0);
    let parsed: Pick<WireResponse, 'status' | 'reason' | 'headers'> | undefined;
    let bodyStart = 0;
    let settled = false;
    const finish = (outcome: { response?: WireResponse; error?: NoResponseError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome.response) resolve(outcome.response);
      else reject(outcome.error);
    };
    const timer = setTimeout(
      () => finish({ error: new NoResponseError(`no complete answer within ${timeoutMs} ms`, 'ETIMEDOUT') }),
      timeoutMs,
    );
    const complete = (streamed = false) => {
      if (!parsed) return false;
      let body: Buffer = received.subarray(bodyStart);
      const length = parsed.headers['content-length'];
      if (streamed) body = Buffer.alloc(0);
      else if (length !== undefined) {
        if (body.length < Number(length)) return false;
        body = body.subarray(0, Number(length));
      } else if (/chunked/i.test(parsed.headers['transfer-encoding'] ?? '')) {
        body = dechunk(body);
      }
      finish({ response: { ...parsed, body, streamed } });
      return true;
    };

    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!parsed) {
        const end = received.indexOf(HEAD_END);
        if (end < 0) return;
        try {
          parsed = parseHead(received.subarray(0, end).toString('latin1'));
        } catch (error) {
          finish({ error: error as NoResponseError });
          return;
        }
        bodyStart = end + HEAD_END.length;
        if (parsed.status === 100) {
          received = received.subarray(bodyStart);
          parsed = undefined;
          return;
        }
        const eventStream = (parsed.headers['content-type'] ?? '').startsWith('text/event-stream');
        if (stopAtEventStream && parsed.status === 200 && eventStream) {
          complete(true);
          return;
        }
      }
      if (parsed.headers['content-length'] !== undefined) complete();
    });
    socket.on('end', () => {
      if (!complete())
        finish({ error: new NoResponseError('connection closed before a complete answer', 'ECUT') });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer before it has read the whole body, then reset the connection: the answer counts.
      if (!complete())
        finish({
          error: new NoResponseError(`${error.code ?? 'error'}: ${error.message}`, error.code ?? 'ERR'),
        });
    });
    socket.on('close', () => {
      if (!complete())
        finish({ error: new NoResponseError('connection closed before a complete answer', 'ECUT') });
    });
    socket.write(head);
    if (request.body && request.body.length > 0) socket.write(request.body);
  });
}
