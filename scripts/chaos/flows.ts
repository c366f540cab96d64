import { ChaosClient, pause, type Answer, type Exchange } from './chaos-client';

/** What a buyer or seller does in one flow. */
export const FLOW_KINDS = [
  'paid',
  'declined-then-paid',
  'three-d-secure',
  'expires',
  'cancelled',
  'cancel-while-paying',
  'race',
  'resale',
  'last-second',
] as const;

export type FlowKind = (typeof FLOW_KINDS)[number];

/** A 2xx a client was given: the databases must show its effect. */
export type Promised =
  | { what: 'ticket'; id: string }
  | { what: 'order'; id: string }
  /** A payment answered 201; `keepsOrder` unless the buyer also cancelled the order. */
  | { what: 'payment'; id: string; orderId: string; keepsOrder: boolean }
  | { what: 'cancellation'; orderId: string };

export interface FlowRecord {
  kind: FlowKind;
  orderIds: string[];
  promised: Promised[];
  /** How the flow ended when not as its buyer wanted: a refusal the system was entitled to, or a give-up. */
  unfinished?: string;
  endedAt?: number;
}

export interface FlowContext {
  url: string;
  stripeFakeUrl: string;
  token(user: string): Promise<string>;
  exchanges: Exchange[];
  random: () => number;
  /** The orders' payment window, which bounds how long a flow waits for an order to settle. */
  windowSeconds: number;
}

interface Order {
  id: string;
  status: string;
  expiresAt: string;
}

/** A user of the API in a flow, recording what it was promised. */
class Actor {
  private constructor(
    private readonly client: ChaosClient,
    private readonly record: FlowRecord,
    private readonly context: FlowContext,
  ) {}

  static async as(context: FlowContext, record: FlowRecord, user: string): Promise<Actor> {
    const client = new ChaosClient(context.url, `Bearer ${await context.token(user)}`, context.exchanges);
    return new Actor(client, record, context);
  }

  async sell(): Promise<string> {
    const price = 1000 + Math.floor(this.context.random() * 9000);
    const answer = await this.client.call('POST', '/api/tickets', { body: { title: 'Chaos night', price } });
    if (answer.status !== 201) throw new Unfinished(`selling a ticket answered ${answer.status}`);
    this.record.promised.push({ what: 'ticket', id: answer.body.id });
    return answer.body.id;
  }

  async order(ticketId: string): Promise<Answer> {
    const answer = await this.client.call('POST', '/api/orders', { body: { ticketId } });
    if (answer.status === 201) {
      this.record.promised.push({ what: 'order', id: answer.body.id });
      this.record.orderIds.push(answer.body.id);
    }
    return answer;
  }

  async placeOrder(ticketId: string): Promise<Order> {
    const answer = await this.order(ticketId);
    if (answer.status !== 201) throw new Unfinished(`ordering answered ${answer.status}`);
    return answer.body;
  }

  /** Pays, waiting (as the demo does) for the payments service to have heard of a brand-new order. */
  async pay(orderId: string, paymentMethod: string, options: { async?: boolean; keepsOrder?: boolean } = {}) {
    const answer = await this.client.call('POST', '/api/payments', {
      body: { orderId, paymentMethod },
      headers: options.async ? { prefer: 'respond-async' } : {},
      retryWhile: (answer) => answer.status === 404,
    });
    if (answer.status === 201) {
      this.record.promised.push({
        what: 'payment',
        id: answer.body.id,
        orderId,
        keepsOrder: options.keepsOrder ?? true,
      });
    }
    return answer;
  }

  async cancel(orderId: string): Promise<Answer> {
    const answer = await this.client.call('DELETE', `/api/orders/${orderId}`);
    if (answer.status === 200) this.record.promised.push({ what: 'cancellation', orderId });
    return answer;
  }

  /** Polls the order until it is in one of `statuses`, as a client waiting for its payment would. */
  async waitForOrder(orderId: string, statuses: string[]): Promise<Order> {
    const deadline = Date.now() + (this.context.windowSeconds + 90) * 1000;
    for (;;) {
      const answer = await this.client.call('GET', `/api/orders/${orderId}`);
      if (answer.status === 200 && statuses.includes(answer.body.status)) return answer.body;
      if (Date.now() > deadline) {
        throw new Unfinished(
          `order still ${answer.body?.status ?? answer.status}, waited for ${statuses.join('/')}`,
        );
      }
      await pause(500);
    }
  }

  async waitForAttempt(attemptId: string, statuses: string[]) {
    const deadline = Date.now() + (this.context.windowSeconds + 30) * 1000;
    for (;;) {
      const answer = await this.client.call('GET', `/api/payments/attempts/${attemptId}`);
      if (answer.status === 200 && statuses.includes(answer.body.status)) return answer.body;
      if (Date.now() > deadline)
        throw new Unfinished(`attempt still ${answer.body?.status ?? answer.status}`);
      await pause(500);
    }
  }

  /** Completes 3-D Secure as the buyer's bank page would, through the Stripe fake's control. */
  async authenticate(paymentIntentId: string): Promise<void> {
    await fetch(`${this.context.stripeFakeUrl}/_fake/payment_intents/${paymentIntentId}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'succeed' }),
    });
  }
}

/** A flow that ended in a way the system was entitled to, or that a client gave up on: reported, not failed. */
class Unfinished extends Error {}

/** Pays with a good card and waits for the order to complete; a refusal ends the flow as unfinished. */
async function payAndComplete(buyer: Actor, orderId: string): Promise<void> {
  const paid = await buyer.pay(orderId, 'pm_card_visa');
  if (paid.status !== 201 && paid.status !== 202) {
    throw new Unfinished(`paying answered ${paid.status}: ${JSON.stringify(paid.body?.errors ?? '')}`);
  }
  await buyer.waitForOrder(orderId, ['complete']);
}

/** A seller's new ticket, ordered by a buyer: how most flows begin. */
async function ticketOrdered(context: FlowContext, record: FlowRecord, n: number) {
  const seller = await Actor.as(context, record, `seller-${n}`);
  const buyer = await Actor.as(context, record, `buyer-${n}`);
  return { buyer, order: await buyer.placeOrder(await seller.sell()) };
}

const flows: Record<FlowKind, (context: FlowContext, record: FlowRecord, n: number) => Promise<void>> = {
  async paid(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    await payAndComplete(buyer, order.id);
  },

  async 'declined-then-paid'(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    const declined = await buyer.pay(order.id, 'pm_card_chargeDeclinedInsufficientFunds');
    if (declined.status !== 402 && declined.status !== 202)
      throw new Unfinished(`decline answered ${declined.status}`);
    await payAndComplete(buyer, order.id);
  },

  async 'three-d-secure'(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    const challenged = await buyer.pay(order.id, 'pm_card_authenticationRequired');
    if (challenged.status !== 202) throw new Unfinished(`3-D Secure answered ${challenged.status}`);
    // Pending when Stripe did not answer in time: the buyer's app polls the attempt until it asks for 3-D Secure.
    const attempt = await buyer.waitForAttempt(challenged.body.attempt.id, ['requires_action']);
    await buyer.authenticate(attempt.stripePaymentIntentId);
    await buyer.waitForOrder(order.id, ['complete']);
  },

  async expires(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    await buyer.waitForOrder(order.id, ['cancelled']);
  },

  async cancelled(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    const cancelled = await buyer.cancel(order.id);
    if (cancelled.status !== 200) throw new Unfinished(`cancelling answered ${cancelled.status}`);
    await buyer.waitForOrder(order.id, ['cancelled']);
  },

  async 'cancel-while-paying'(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    await Promise.all([
      buyer.pay(order.id, 'pm_card_visa', { keepsOrder: false }),
      pause(context.random() * 300).then(() => buyer.cancel(order.id)),
    ]);
    await buyer.waitForOrder(order.id, ['complete', 'cancelled']);
  },

  async race(context, record, n) {
    const seller = await Actor.as(context, record, `seller-${n}`);
    const first = await Actor.as(context, record, `buyer-${n}`);
    const second = await Actor.as(context, record, `rival-${n}`);
    const ticketId = await seller.sell();
    const answers = await Promise.all([first.order(ticketId), second.order(ticketId)]);
    const winner = answers.findIndex((answer) => answer.status === 201);
    if (winner < 0 || answers.filter((answer) => answer.status === 201).length !== 1) {
      throw new Unfinished(`racing orders answered ${answers.map((answer) => answer.status).join(' and ')}`);
    }
    await payAndComplete(winner === 0 ? first : second, answers[winner]?.body.id);
  },

  async resale(context, record, n) {
    const seller = await Actor.as(context, record, `seller-${n}`);
    const first = await Actor.as(context, record, `buyer-${n}`);
    const second = await Actor.as(context, record, `second-buyer-${n}`);
    const ticketId = await seller.sell();
    const abandoned = await first.placeOrder(ticketId);
    if ((await first.cancel(abandoned.id)).status !== 200)
      throw new Unfinished('cancelling the first order failed');
    const resold = await second.placeOrder(ticketId);
    await payAndComplete(second, resold.id);
  },

  async 'last-second'(context, record, n) {
    const { buyer, order } = await ticketOrdered(context, record, n);
    // The buyer pays three seconds before the deadline.
    await pause(Math.max(0, Date.parse(order.expiresAt) - Date.now() - 3_000));
    await payAndComplete(buyer, order.id);
  },
};

/** Runs flow number `n` of `kind`; whatever happens is in the record, nothing is thrown. */
export async function runFlow(context: FlowContext, kind: FlowKind, n: number): Promise<FlowRecord> {
  const record: FlowRecord = { kind, orderIds: [], promised: [] };
  try {
    await flows[kind](context, record, n);
  } catch (error) {
    record.unfinished = error instanceof Unfinished ? error.message : `client error: ${String(error)}`;
  }
  record.endedAt = Date.now();
  return record;
}
