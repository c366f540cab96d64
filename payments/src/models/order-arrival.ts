import { DependencyUnavailableError } from '@ticketing/bus';
import { type NotificationHub } from '@ticketing/service';
import { ORDER_REPLICATED_CHANNEL } from '../database/migrations';

/** Where to hear of orders replicated here, and how long a request waits for one. */
export interface OrderArrival {
  hub: NotificationHub;
  /** `PAYMENT_ORDER_WAIT_MS`: 0 answers at once. */
  waitMs: number;
}

/**
 * Reads an order from this service's replica, waiting up to `waitMs` for it to arrive. A buyer who pays
 * right after ordering is often quicker than `orders.created` is to reach us: the order exists, it is only
 * on its way. The wait is for a notification (`ORDER_REPLICATED_CHANNEL`, sent when the replica's row is
 * committed), not on a connection: `read` takes one from the pool for a moment, and between reads the
 * request holds neither a connection nor a transaction. Undefined if the order has not arrived in time.
 * Refused with a `DependencyUnavailableError` (503, a retry goes to another replica) if the process shuts
 * down meanwhile.
 *
 * @example
 * const order = await waitForOrder({ hub, waitMs: 5_000 }, orderId, () => readOrder(db, orderId));
 */
export async function waitForOrder<Order>(
  { hub, waitMs }: OrderArrival,
  orderId: string,
  read: () => Promise<Order | undefined>,
): Promise<Order | undefined> {
  const found = await read();
  if (found !== undefined || waitMs <= 0) return found;

  const deadline = Date.now() + waitMs;
  let notified: boolean;
  let closed = false;
  let wake: () => void = () => undefined;
  const unsubscribe = await hub.subscribe(ORDER_REPLICATED_CHANNEL, orderId, {
    changed: () => {
      notified = true;
      wake();
    },
    closed: () => {
      closed = true;
      wake();
    },
  });
  try {
    // Read again once subscribed: the order may have arrived between the first read and the LISTEN.
    for (;;) {
      notified = false;
      const order = await read();
      if (order !== undefined) return order;
      if (closed) throw new DependencyUnavailableError('notification hub');
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      // A notification during the read above is not waited for again.
      if (!notified) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  } finally {
    unsubscribe();
  }
}
