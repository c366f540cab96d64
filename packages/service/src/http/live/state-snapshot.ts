import { createHash } from 'node:crypto';
import type { Request } from 'express';

/** A state as a stream sends it: its JSON, and a hash of that JSON as the event's id. */
export interface StateSnapshot {
  json: string;
  id: string;
}

/**
 * The id is a hash of the content rather than a counter: every replica, and the same one after a restart,
 * gives the same state the same id, so a client can resume on any of them.
 */
export function snapshotOf(state: unknown): StateSnapshot {
  const json = JSON.stringify(state);
  return { json, id: createHash('sha256').update(json).digest('base64url').slice(0, 16) };
}

/**
 * The id of the state the client already has: `Last-Event-ID`, which EventSource sends when it reconnects,
 * or `?lastEventId=`, for a page that opens a new EventSource on a state it read before.
 */
export function lastEventId(req: Pick<Request, 'headers' | 'query'>): string | undefined {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header;
  const query = req.query.lastEventId;
  return typeof query === 'string' && query !== '' ? query : undefined;
}
