import type { Request, RequestHandler } from 'express';
import type { NotificationHub } from '../../database/notification-hub';
import { DependencyUnavailableError } from '@ticketing/bus';
import { HttpError } from '../errors/http-error';
import { commentFrame, eventFrame, retryFrame } from './event-stream-frames';
import { lastEventId, snapshotOf } from './state-snapshot';

/** What a stream asks a client to wait before it reconnects. */
export const LIVE_RECONNECT_AFTER_MS = 2_000;
/** Well under a proxy's idle timeout (ingress-nginx: 60 s by default). */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** What a live stream follows: the channel and key that announce a change, and how to read the state. */
export interface LiveStateOptions {
  hub: NotificationHub;
  /** The channel whose notifications announce changes to the state. */
  channel: string;
  /** The notification payload that means "this stream's state changed", e.g. the order's id. */
  key(req: Request): string;
  /**
   * Reads the state, as the resource's plain GET answers it. Called on connection, where it also
   * authorises (a NotFoundError or ForbiddenError becomes the usual JSON 4xx), and after every
   * notification.
   */
  load(req: Request): Promise<unknown>;
  /** Between two heartbeat comments, which keep proxies and clients from taking the stream for dead. */
  heartbeatMs?: number;
}

/** Runs `task` (which must not throw) one at a time: calls made while it runs fold into one run after it. */
function coalesced(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        await task();
      } while (again);
      running = false;
    })();
  };
}

/**
 * An express handler that streams a resource's state as Server-Sent Events: `event: state` with the JSON
 * and, as `id`, a hash of it, sent on connection (unless the client's Last-Event-ID is that hash already)
 * and again whenever a notification on `channel` for the stream's key leads to a different state. Loads
 * never overlap; a burst of notifications costs at most one more. A state that cannot be read any more (the
 * resource gone, the database away) ends the stream: the client reconnects after `retry` and is answered
 * afresh. Heartbeat comments keep idle streams open through proxies.
 *
 * @example
 * router.get(
 *   '/api/orders/:id/events',
 *   requireAuth,
 *   liveState({
 *     hub: context.notifications,
 *     channel: 'order_changed',
 *     key: (req) => req.params.id as string,
 *     load: (req) => showOrder(req.params.id as string, authenticatedUser(req)),
 *     heartbeatMs: context.config.LIVE_HEARTBEAT_MS,
 *   }),
 * );
 */
export function liveState(options: LiveStateOptions): RequestHandler {
  const { hub, channel, key, load, heartbeatMs = DEFAULT_HEARTBEAT_MS } = options;
  return async (req, res) => {
    let closed = false;
    let streaming = false;
    let changedBeforeStreaming = false;
    let hubClosed = false;
    let unsubscribe = () => {};
    let sentId = lastEventId(req);

    // A read or a heartbeat may finish after the stream ended: a write then would be an error event.
    const write = (frame: string) => {
      if (!closed && !res.writableEnded) res.write(frame);
    };
    const send = (state: unknown) => {
      const snapshot = snapshotOf(state);
      if (snapshot.id === sentId) return;
      sentId = snapshot.id;
      write(eventFrame({ event: 'state', id: snapshot.id, data: snapshot.json }));
    };
    const reload = coalesced(async () => {
      if (closed) return;
      try {
        send(await load(req));
      } catch (error) {
        const level = error instanceof HttpError ? 'info' : 'warn';
        req.log?.[level]({ err: error }, 'live state could not be read; ending the stream');
        res.end();
      }
    });

    // Also after the stream is ended here: 'close' follows the end of every response.
    res.once('close', () => {
      closed = true;
      unsubscribe();
    });
    // Subscribed before the first read, so that a change committed while it runs is not missed.
    unsubscribe = await hub.subscribe(channel, key(req), {
      changed: () => {
        if (streaming) reload();
        else changedBeforeStreaming = true;
      },
      closed: () => {
        if (streaming) res.end();
        else hubClosed = true;
      },
    });
    let initial: unknown;
    try {
      initial = await load(req);
      if (hubClosed) throw new DependencyUnavailableError('notification hub');
    } catch (error) {
      unsubscribe();
      throw error;
    }
    if (closed) {
      // Gone while subscribing, before there was anything for 'close' to unsubscribe.
      unsubscribe();
      return;
    }

    // Set one by one rather than given to writeHead, so that middlewares (metrics) can read them back.
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream');
    // no-transform: a proxy must not compress or otherwise hold the stream back.
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx (and ingress-nginx) would otherwise buffer the response and deliver events late, in bulk.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    write(retryFrame(LIVE_RECONNECT_AFTER_MS));
    send(initial);
    streaming = true;
    const heartbeat = setInterval(() => write(commentFrame('heartbeat')), heartbeatMs);
    res.once('close', () => clearInterval(heartbeat));
    if (changedBeforeStreaming) reload();
  };
}
