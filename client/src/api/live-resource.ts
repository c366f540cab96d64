import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api-client';
import { ApiError } from './api-error';

/** While the stream is down the resource is polled this often. */
export const POLL_WHILE_DISCONNECTED_MS = 5_000;
/** A stream the browser gave up on (a 503 from a restarting replica) is opened again after this long. */
const REOPEN_AFTER_MS = 2_000;

export type LiveStatus = 'connecting' | 'live' | 'polling';

export interface LiveResourceOptions {
  queryKey: QueryKey;
  /** The resource's JSON. */
  path: string;
  /** Its Server-Sent Events: every `state` event carries the same JSON. */
  eventsPath: string;
  /** Not yet (e.g. the order has not reached payments): neither fetched nor streamed. */
  enabled?: boolean;
  /** A 404 may mean "not here yet": keep asking rather than failing. */
  retryNotFound?: boolean;
}

/**
 * A resource kept current by the service's event stream, with the query cache as the one place the page
 * reads from. When the stream is unavailable it is polled every 5 s, and the stream is reopened until it
 * works again; EventSource itself resumes with Last-Event-ID after a dropped connection.
 */
export function useLiveResource<T>({
  queryKey,
  path,
  eventsPath,
  enabled = true,
  retryNotFound,
}: LiveResourceOptions) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const query = useQuery({
    queryKey,
    queryFn: () => api<T>(path),
    enabled,
    refetchInterval: (current) => {
      if (retryNotFound && current.state.error instanceof ApiError && current.state.error.status === 404) {
        return 1_000;
      }
      return status === 'live' ? false : POLL_WHILE_DISCONNECTED_MS;
    },
    retry: (failures, error) =>
      (retryNotFound && error instanceof ApiError && error.status === 404) || failures < 2,
  });
  const ready = enabled && query.isSuccess;

  useEffect(() => {
    if (!ready) return undefined;
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const open = () => {
      source = new EventSource(eventsPath);
      source.addEventListener('open', () => setStatus('live'));
      source.addEventListener('state', (event) => {
        queryClient.setQueryData(queryKey, JSON.parse((event as MessageEvent<string>).data) as T);
        setStatus('live');
      });
      source.addEventListener('error', () => {
        setStatus('polling');
        // CONNECTING: the browser retries by itself. CLOSED: it gave up (an error status); we retry.
        if (source?.readyState === EventSource.CLOSED && !closed) {
          source.close();
          reopen = setTimeout(open, REOPEN_AFTER_MS);
        }
      });
    };
    open();
    return () => {
      closed = true;
      clearTimeout(reopen);
      source?.close();
    };
    // The key's identity changes on every render; its content is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, eventsPath, JSON.stringify(queryKey), queryClient]);

  return { ...query, live: status };
}
