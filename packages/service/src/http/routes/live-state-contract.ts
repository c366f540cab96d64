import { z } from 'zod';
import { DEFAULT_HEARTBEAT_MS, LIVE_RECONNECT_AFTER_MS } from '../live/live-state';
import type { RouteContract } from './declare-route';

/** The parts of a live stream's contract that differ from one stream to the next. */
export interface LiveStateContract {
  /** Express form: `/api/orders/:id/events`. */
  path: string;
  summary: string;
  params: z.ZodObject;
  /** What each `state` event's data holds: the body of the resource's plain GET. */
  state: z.ZodType;
  errors?: Record<number, string>;
}

/**
 * The contract of a `liveState` route, so that every stream is described and validated alike: the events,
 * how to resume, how a browser authenticates.
 *
 * @example
 * declareRoute(
 *   liveStateContract({
 *     path: '/api/orders/:id/events',
 *     summary: 'Your order, live',
 *     params: z.object({ id: z.uuid() }),
 *     state: orderResponse,
 *     errors: { 403: 'Not your order', 404: 'No such order' },
 *   }),
 *   (context) => streamOrder(context),
 * );
 */
export function liveStateContract({ path, summary, params, state, errors }: LiveStateContract) {
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
    access: 'user',
    params,
    query: z.object({
      lastEventId: z
        .string()
        .max(64)
        .optional()
        .describe('the id of the state you have, for a new EventSource: it is then not sent again'),
    }),
    headers: z.object({
      'last-event-id': z
        .string()
        .max(64)
        .optional()
        .describe('sent by EventSource when it reconnects: that state is not sent again'),
    }),
    responses: { 200: { description: 'The stream (text/event-stream)', events: { state } } },
    errors,
  } satisfies RouteContract;
}
