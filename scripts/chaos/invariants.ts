import { Bus } from '@ticketing/bus';
import type { StripeFake } from '@ticketing/stripe-fake';
import pg from 'pg';
import Stripe from 'stripe';
import type { ServiceName } from '../system/local-system';
import type { Exchange } from './chaos-client';
import type { FaultRecord } from './faults';
import type { FlowRecord } from './flows';

export interface InvariantResult {
  name: string;
  holds: boolean;
  /** What was counted, violations first. */
  figures: string;
}

export interface InvariantSources {
  databaseUrls: Record<ServiceName, string>;
  natsUrl: string;
  stripe: StripeFake;
  flows: FlowRecord[];
  exchanges: Exchange[];
  faults: FaultRecord[];
}

/** A 503 this long after a fault ended is still the fault's: a restarted service warms up. */
const OUTAGE_TAIL_MS = 15_000;

interface OrderRow {
  id: string;
  ticket_id: string;
  status: string;
  cancellation_reason: string | null;
  expires_at: Date;
  price: number;
}

async function query<Row>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}

const count = (n: number, what: string) => `${n} ${what}`;

function result(name: string, violations: string[], figures: string): InvariantResult {
  return {
    name,
    holds: violations.length === 0,
    figures:
      violations.length === 0
        ? figures
        : `${violations.slice(0, 5).join('; ')}${violations.length > 5 ? ` (+${violations.length - 5} more)` : ''} | ${figures}`,
  };
}

/** Money Stripe moved, per order: what was captured and what was refunded, from the fake's ledger. */
async function moneyByOrder(stripe: StripeFake) {
  const sdk = new Stripe('sk_test_chaos', {
    host: stripe.host,
    port: stripe.port,
    protocol: 'http',
    maxNetworkRetries: 2,
  });
  const orderOfIntent = new Map<string, string>();
  for await (const intent of sdk.paymentIntents.list({ limit: 100 })) {
    if (intent.metadata.orderId) orderOfIntent.set(intent.id, intent.metadata.orderId);
  }
  const money = new Map<
    string,
    { charged: number; refunded: number; successes: number; firstSuccessMs: number }
  >();
  for (const entry of stripe.ledger().entries) {
    const orderId = orderOfIntent.get(entry.payment_intent);
    if (!orderId || entry.status !== 'succeeded') continue;
    const held = money.get(orderId) ?? { charged: 0, refunded: 0, successes: 0, firstSuccessMs: Infinity };
    held.charged += entry.amount_captured;
    held.refunded += entry.amount_refunded;
    held.successes += 1;
    held.firstSuccessMs = Math.min(held.firstSuccessMs, entry.created * 1000);
    money.set(orderId, held);
  }
  return money;
}

async function deadLetters(natsUrl: string): Promise<number> {
  const bus = await Bus.connect({ url: natsUrl, name: 'chaos-check' });
  try {
    const info = await bus.jsm.streams.info(bus.streamName('DLQ')).catch(() => undefined);
    return info?.state.messages ?? 0;
  } finally {
    await bus.close();
  }
}

/** Every invariant of the system, read from its databases, its streams and Stripe's (the fake's) ledger. */
export async function checkInvariants(sources: InvariantSources): Promise<InvariantResult[]> {
  const { databaseUrls } = sources;
  const orders = await query<OrderRow>(
    databaseUrls.orders,
    'select id, ticket_id, status, cancellation_reason, expires_at, price from orders',
  );
  const tickets = await query<{ id: string; order_id: string | null }>(
    databaseUrls.orders,
    'select id, order_id from tickets',
  );
  const replicas = await query<{ id: string; status: string }>(
    databaseUrls.payments,
    'select id, status from orders',
  );
  const payments = await query<{ id: string; order_id: string }>(
    databaseUrls.payments,
    'select id, order_id from payments',
  );
  const openAttempts = await query<{ status: string; n: number }>(
    databaseUrls.payments,
    "select status, count(*)::int as n from payment_attempts where status in ('pending', 'requires_action') group by status",
  );
  const pendingExpirations = await query<{ n: number }>(
    databaseUrls.expiration,
    'select count(*)::int as n from pending_expirations',
  );
  const money = await moneyByOrder(sources.stripe);
  const results: InvariantResult[] = [];

  const byStatus = new Map<string, number>();
  for (const order of orders) byStatus.set(order.status, (byStatus.get(order.status) ?? 0) + 1);
  const open = orders.filter((order) => order.status !== 'complete' && order.status !== 'cancelled');
  results.push(
    result(
      'every order complete or cancelled',
      open.map((order) => `order ${order.id} is ${order.status}`),
      [...byStatus].map(([status, n]) => count(n, status)).join(', ') || 'no orders',
    ),
  );

  const holders = new Map<string, OrderRow[]>();
  for (const order of orders.filter((order) => order.status !== 'cancelled')) {
    holders.set(order.ticket_id, [...(holders.get(order.ticket_id) ?? []), order]);
  }
  const heldTwice = [...holders]
    .filter(([, held]) => held.length > 1)
    .map(([ticket]) => `ticket ${ticket} held twice`);
  const misrecorded = tickets
    .filter((ticket) => (holders.get(ticket.id)?.[0]?.id ?? null) !== ticket.order_id)
    .map((ticket) => `ticket ${ticket.id} names order ${ticket.order_id}`);
  results.push(
    result(
      'no ticket held twice',
      [...heldTwice, ...misrecorded],
      `${count(tickets.length, 'tickets')}, ${count(holders.size, 'held')}`,
    ),
  );

  const wrongMoney = orders.flatMap((order) => {
    const held = money.get(order.id) ?? { charged: 0, refunded: 0 };
    const net = held.charged - held.refunded;
    const owed = order.status === 'complete' ? order.price : 0;
    return net === owed ? [] : [`order ${order.id} (${order.status}) kept ${net}, owes ${owed}`];
  });
  const charged = [...money.values()].reduce((sum, held) => sum + held.charged, 0);
  const refunded = [...money.values()].reduce((sum, held) => sum + held.refunded, 0);
  results.push(
    result(
      'charged minus refunded is the price if complete, 0 if cancelled',
      wrongMoney,
      `${charged} charged, ${refunded} refunded, over ${count(money.size, 'orders')}`,
    ),
  );

  results.push(
    result(
      'no card charged twice',
      [...money]
        .filter(([, held]) => held.successes > 1)
        .map(([orderId, held]) => `order ${orderId} charged ${held.successes} times`),
      `${count(
        [...money.values()].reduce((sum, held) => sum + held.successes, 0),
        'successful charges',
      )}`,
    ),
  );

  const paidInTime = orders.filter((order) => {
    const first = money.get(order.id)?.firstSuccessMs ?? Infinity;
    // Stripe's times are in whole seconds: a charge dated a second before the deadline was surely in time.
    return first + 1000 <= order.expires_at.getTime();
  });
  results.push(
    result(
      'no order paid in time yet expired',
      paidInTime
        .filter((order) => order.status === 'cancelled' && order.cancellation_reason === 'expired')
        .map((order) => `order ${order.id} expired though paid in time`),
      `${count(paidInTime.length, 'orders paid in time')}, ${count(orders.filter((order) => order.cancellation_reason === 'expired').length, 'expired')}`,
    ),
  );

  const replicaStatus = new Map(replicas.map((replica) => [replica.id, replica.status]));
  results.push(
    result(
      'replicas agree',
      [
        ...orders
          .filter((order) => replicaStatus.get(order.id) !== order.status)
          .map(
            (order) =>
              `payments has order ${order.id} as ${replicaStatus.get(order.id) ?? 'missing'}, orders as ${order.status}`,
          ),
        ...(open.length === 0 && (pendingExpirations[0]?.n ?? 0) > 0
          ? [`expiration still waits on ${pendingExpirations[0]?.n} orders`]
          : []),
      ],
      `${count(replicas.length, 'orders')} in payments, ${count(pendingExpirations[0]?.n ?? 0, 'pending expirations')}`,
    ),
  );

  const orderStatus = new Map(orders.map((order) => [order.id, order.status]));
  const ticketIds = new Set(tickets.map((ticket) => ticket.id));
  const paymentIds = new Set(payments.map((payment) => payment.id));
  const promised = sources.flows.flatMap((flow) => flow.promised);
  const broken = promised.flatMap((promise) => {
    switch (promise.what) {
      case 'ticket':
        return ticketIds.has(promise.id) ? [] : [`ticket ${promise.id} was created but is missing`];
      case 'order':
        return orderStatus.has(promise.id) ? [] : [`order ${promise.id} was placed but is missing`];
      case 'payment':
        if (!paymentIds.has(promise.id)) return [`payment ${promise.id} was answered 201 but is missing`];
        return promise.keepsOrder && orderStatus.get(promise.orderId) !== 'complete'
          ? [`order ${promise.orderId} was paid (201) but is ${orderStatus.get(promise.orderId)}`]
          : [];
      case 'cancellation':
        return orderStatus.get(promise.orderId) === 'cancelled'
          ? []
          : [`order ${promise.orderId} was cancelled (200) but is ${orderStatus.get(promise.orderId)}`];
    }
  });
  results.push(result('every 2xx had its effect', broken, count(promised.length, '2xx answers checked')));

  const unsent = await Promise.all(
    (Object.keys(databaseUrls) as ServiceName[]).map(async (service) => {
      const [row] = await query<{ n: number }>(
        databaseUrls[service],
        'select count(*)::int as n from outbox where sent_at is null',
      );
      return [service, row?.n ?? 0] as const;
    }),
  );
  results.push(
    result(
      'outboxes drained',
      unsent.filter(([, n]) => n > 0).map(([service, n]) => `${service} has ${n} unsent`),
      unsent.map(([service, n]) => `${service} ${n}`).join(', '),
    ),
  );

  const parked = await deadLetters(sources.natsUrl);
  results.push(
    result('no dead letters', parked > 0 ? [`${parked} dead letters`] : [], count(parked, 'dead letters')),
  );

  results.push(
    result(
      'no stuck attempts',
      openAttempts.map((row) => `${row.n} attempts ${row.status}`),
      count(
        openAttempts.reduce((sum, row) => sum + row.n, 0),
        'open attempts',
      ),
    ),
  );

  const serverErrors = sources.exchanges.filter((exchange) => exchange.status >= 500);
  const unexplained = serverErrors.filter((exchange) => {
    const service: ServiceName = exchange.path.startsWith('/api/payments') ? 'payments' : 'orders';
    return (
      exchange.status !== 503 ||
      !sources.faults.some(
        (fault) =>
          fault.down.includes(service) &&
          exchange.at >= fault.startedAt &&
          exchange.at <= fault.endedAt + OUTAGE_TAIL_MS,
      )
    );
  });
  results.push(
    result(
      'no 5xx but 503 while a service was down',
      unexplained.map((exchange) => `${exchange.status} for ${exchange.method} ${exchange.path}`),
      `${count(sources.exchanges.length, 'answers')}, ${count(serverErrors.length, '503 during outages')}`,
    ),
  );
  return results;
}
