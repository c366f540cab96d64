/**
 * The text/event-stream format (https://html.spec.whatwg.org/multipage/server-sent-events.html): fields
 * one to a line, a blank line ending each frame.
 */

/** A field value may not span lines: a line break would end the field early. */
function oneLine(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`An event's ${field} cannot contain a line break`);
  return value;
}

/** One event: `event` is the name a client listens for, `id` what it sends back as Last-Event-ID. */
export function eventFrame({ event, id, data }: { event: string; id?: string; data: string }): string {
  const lines = [
    ...(id === undefined ? [] : [`id: ${oneLine('id', id)}`]),
    `event: ${oneLine('event', event)}`,
    // Each line of the data is a data field of its own; the client joins them with line feeds.
    ...data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

/** A comment: ignored by clients, it keeps proxies from closing an idle stream. */
export function commentFrame(text: string): string {
  return `: ${oneLine('comment', text)}\n\n`;
}

/** How long a client waits before reconnecting after the stream ends or breaks. */
export function retryFrame(milliseconds: number): string {
  return `retry: ${Math.round(milliseconds)}\n\n`;
}
