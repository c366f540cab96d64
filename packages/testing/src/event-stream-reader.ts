/** One frame of a text/event-stream (the fields up to a blank line), as a client reads it. */
export interface StreamFrame {
  event?: string;
  /** The data lines, joined with line feeds. */
  data?: string;
  id?: string;
  retry?: number;
  comments: string[];
}

/**
 * Splits text/event-stream text into frames, keeping an unfinished one for the next chunk. Lines end with
 * LF or CRLF (what servers send; a bare CR is not looked for).
 *
 * @example
 * const parser = new EventStreamParser();
 * parser.push('event: state\nid: 1a2b\ndata: {"status":'); // [] : the frame is not finished
 * parser.push('"created"}\n\n'); // [{ event: 'state', id: '1a2b', data: '{"status":"created"}', ... }]
 */
export class EventStreamParser {
  private buffer = '';
  private frame: StreamFrame = { comments: [] };
  private fields = 0;

  push(chunk: string): StreamFrame[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    const frames: StreamFrame[] = [];
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        if (this.fields > 0) frames.push(this.frame);
        this.frame = { comments: [] };
        this.fields = 0;
        continue;
      }
      this.fields += 1;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === '') this.frame.comments.push(value);
      else if (name === 'data')
        this.frame.data = this.frame.data === undefined ? value : `${this.frame.data}\n${value}`;
      else if (name === 'event' || name === 'id') this.frame[name] = value;
      else if (name === 'retry' && /^\d+$/.test(value)) this.frame.retry = Number(value);
    }
    return frames;
  }
}

/**
 * A Server-Sent Events stream opened with fetch, read frame by frame. Tests wait for the next frame with a
 * deadline instead of sleeping.
 *
 * @example
 * const stream = await EventStreamReader.open(`${url}/api/orders/${id}/events`, { Authorization: bearer });
 * const { event } = await stream.nextEvent('state');
 * expect(JSON.parse(event.data!)).toMatchObject({ status: 'created' });
 * stream.close();
 */
export class EventStreamReader {
  private readonly frames: StreamFrame[] = [];
  private waiting?: () => void;
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.read();
  }

  /** Opens the stream; any status is returned (check `status`), its body read as a stream either way. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { Accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    return new EventStreamReader(response, abort);
  }

  get status(): number {
    return this.response.status;
  }

  /** The next frame: an event, a comment (heartbeat) or a retry. */
  async next(timeoutMs = 10_000): Promise<StreamFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.ended) throw new Error('The event stream ended');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`No event stream frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next event named `name`, with the frames (comments, retry, other events) that came before it. */
  async nextEvent(
    name: string,
    timeoutMs = 10_000,
  ): Promise<{ event: StreamFrame & { data: string }; before: StreamFrame[] }> {
    const deadline = Date.now() + timeoutMs;
    const before: StreamFrame[] = [];
    for (;;) {
      const frame = await this.next(Math.max(deadline - Date.now(), 1));
      if (frame.event === name && frame.data !== undefined)
        return { event: { ...frame, data: frame.data }, before };
      before.push(frame);
    }
  }

  /** Waits for the server to end the stream; returns the frames that came before the end. */
  async end(timeoutMs = 10_000): Promise<StreamFrame[]> {
    const deadline = Date.now() + timeoutMs;
    const before: StreamFrame[] = [];
    for (;;) {
      try {
        before.push(await this.next(Math.max(deadline - Date.now(), 1)));
      } catch (error) {
        if (this.ended && this.frames.length === 0) return before;
        throw error;
      }
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body ?? []) {
        this.frames.push(...parser.push(decoder.decode(chunk as Uint8Array, { stream: true })));
        this.waiting?.();
      }
    } catch {
      // Closed by us, or cut: either way the stream is over.
    }
    this.ended = true;
    this.waiting?.();
  }
}
