import { z } from 'zod';
import { DEFAULT_HEARTBEAT_MS, LIVE_RECONNECT_AFTER_MS } from '../live/live-state';
import type { ApiOperation } from './openapi-document';

export interface LiveStateOperation {
  /** OpenAPI template: `/api/orders/{id}/events`. */
  path: string;
  summary: string;
  /** What each `state` event's data holds: the body of the resource's plain GET. */
  state: z.ZodType;
  errors?: Record<number, string>;
}

/**
 * The OpenAPI operation of a `liveState` route, so that every stream is described alike: the events, how
 * to resume, how a browser authenticates.
 *
 * @example
 * liveStateOperation({
 *   path: '/api/orders/{id}/events',
 *   summary: 'Your order, live',
 *   state: orderResponse,
 *   errors: { 400: 'Invalid id', 403: 'Not your order', 404: 'No such order' },
 * });
 */
export function liveStateOperation({ path, summary, state, errors }: LiveStateOperation): ApiOperation {
  return {
    method: 'get',
    path,
    summary,
    description:
      'Server-Sent Events: `event: state` with the resource as JSON and, as `id`, a hash of that JSON, sent on ' +
      'connection and whenever the state changes. A browser opens it with EventSource, which cannot send an ' +
      'Authorization header: the `session` cookie authenticates it. Comment lines (`: heartbeat`) come every ' +
      `${DEFAULT_HEARTBEAT_MS / 1000} s; after the stream ends or breaks, reconnect after ` +
      `${LIVE_RECONNECT_AFTER_MS / 1000} s (\`retry\`), sending the last id seen. While it is unavailable, ` +
      'poll the resource itself.',
    authenticated: true,
    query: z.object({
      lastEventId: z
        .string()
        .optional()
        .describe('the id of the state you have, for a new EventSource: it is then not sent again'),
    }),
    headers: {
      'Last-Event-ID': {
        description: 'sent by EventSource when it reconnects: that state is not sent again',
      },
    },
    responses: { 200: { description: 'The stream (text/event-stream)', events: { state } } },
    errors,
  };
}
