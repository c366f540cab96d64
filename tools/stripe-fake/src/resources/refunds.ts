import { formatMinorUnits } from '@ticketing/contracts';
import { Collection } from '../collection';
import { newId } from '../ids';
import { LIST_PARAMS, listPage, type ListPage } from '../list-page';
import { updateMetadata } from '../metadata';
import type { Params } from '../params';
import { ParameterError, StripeError } from '../stripe-error';
import type { TestCard } from '../test-cards';
import { unixTime } from '../unix-time';
import type { Charge } from './charge';
import type { Charges } from './charges';
import type { Events } from './events';
import type { PaymentIntents } from './payment-intents';
import type { PaymentMethods } from './payment-methods';
import { REFUND_REASONS, type Refund } from './refund';
import { NO_REQUEST, type EventRequest } from './stripe-event';

/**
 * When refunds settle. `immediate`: as in Stripe's test mode, most succeed at once and the asynchronous refund
 * cards settle right after the request that made them. `pending`: every new refund stays `pending` until a test
 * settles it, as live refunds can.
 */
export type RefundSettlement = 'immediate' | 'pending';

/** How a test settles a refund: the card network accepted it, or sent it back. */
export type SettlementOutcome = 'succeed' | 'fail';

export interface RefundsDependencies {
  charges: Charges;
  paymentIntents: PaymentIntents;
  paymentMethods: PaymentMethods;
  events: Events;
}

/**
 * The `/v1/refunds` endpoints and the life of a refund (https://docs.stripe.com/refunds). A refund takes its
 * amount from a successful charge when it is made, `pending` or `succeeded`; it may still fail later, which
 * gives the amount back to the charge. https://docs.stripe.com/testing#refunds documents the cards whose
 * refunds do so: `pendingRefund` begins `pending` and succeeds, `refundFail` begins `succeeded` and fails.
 */
export class Refunds {
  private readonly refunds = new Collection<Refund>('refund');
  /** Refunds whose outcome is still to come, by id. */
  private readonly unsettled = new Set<string>();
  /** The later settlements of asynchronous refund cards, dropped by `clear`. */
  private readonly scheduled = new Set<NodeJS.Immediate>();
  private settlementMode: RefundSettlement = 'immediate';

  constructor(private readonly deps: RefundsDependencies) {}

  get settlement(): RefundSettlement {
    return this.settlementMode;
  }

  /** Applies to refunds made from now on. */
  setSettlement(settlement: RefundSettlement): void {
    this.settlementMode = settlement;
  }

  /** Without an `amount`, refunds whatever of the charge is not refunded yet (pending refunds count as taken). */
  create(params: Params, request: EventRequest): Refund {
    params.rejectUnknown(['payment_intent', 'charge', 'amount', 'reason', 'metadata']);
    const target = readRefundTarget(params);
    const requestedAmount = params.integer('amount', { min: 1 });
    const reason = params.oneOf('reason', REFUND_REASONS) ?? null;
    const metadata = updateMetadata({}, params);
    const charge =
      target.param === 'charge' ? this.succeededCharge(target.id) : this.chargeOfIntent(target.id);
    const unrefunded = charge.amount - charge.amount_refunded;
    if (unrefunded === 0) {
      throw StripeError.invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
        charge: charge.id,
      });
    }
    const amount = requestedAmount ?? unrefunded;
    if (amount > unrefunded) {
      const format = (value: number) => `${formatMinorUnits(value, charge.currency)} ${charge.currency}`;
      throw StripeError.invalidRequest(
        `Refund amount (${format(amount)}) is greater than unrefunded amount on charge ` +
          `(${format(unrefunded)})`,
        { code: 'amount_too_large', param: 'amount', charge: charge.id },
      );
    }
    const { asyncRefund } = this.cardOf(charge);
    const held = this.settlementMode === 'pending';
    const refund = this.refunds.add({
      id: newId('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: unixTime(),
      currency: charge.currency,
      failure_balance_transaction: null,
      failure_reason: null,
      metadata,
      payment_intent: charge.payment_intent,
      reason,
      status: held || asyncRefund === 'succeeds' ? 'pending' : 'succeeded',
    });
    this.deps.charges.addRefund(charge, amount);
    this.deps.events.record('refund.created', refund, request);
    this.deps.events.record('charge.refunded', charge, request);
    if (held || asyncRefund !== undefined) this.unsettled.add(refund.id);
    if (!held && asyncRefund !== undefined) {
      const outcome = asyncRefund === 'fails' ? 'fail' : 'succeed';
      this.afterAnswer(() => {
        // Unless a test has settled it first.
        if (this.unsettled.has(refund.id)) this.settle(refund.id, outcome, NO_REQUEST);
      });
    }
    return refund;
  }

  /**
   * Gives an unsettled refund its outcome. A success makes a `pending` refund `succeeded`; a failure makes it
   * `failed` with a `failure_reason` and gives its amount back to the charge. Stripe sends `refund.updated` and
   * `charge.refund.updated` for either, and `refund.failed` for a failure.
   */
  settle(id: string, outcome: SettlementOutcome, request: EventRequest): Refund {
    const refund = this.refunds.get(id);
    if (!this.unsettled.delete(id)) {
      throw StripeError.invalidRequest(
        `Refund ${id} has already settled: its status is ${refund.status}. Only a refund made while refund ` +
          'settlement is pending, or one of an asynchronous refund test card, can be settled.',
      );
    }
    const previous: Partial<Refund> = { status: refund.status };
    if (outcome === 'succeed') {
      // A `refundFail` refund that a test lets succeed was `succeeded` all along: nothing changes.
      if (refund.status === 'succeeded') return refund;
      refund.status = 'succeeded';
    } else {
      const charge = this.deps.charges.get(refund.charge);
      previous.failure_reason = refund.failure_reason;
      refund.status = 'failed';
      refund.failure_reason =
        this.cardOf(charge).asyncRefund === 'fails' ? 'expired_or_canceled_card' : 'unknown';
      this.deps.charges.returnRefund(charge, refund.amount);
    }
    this.deps.events.record('refund.updated', refund, request, previous);
    if (refund.status === 'failed') this.deps.events.record('refund.failed', refund, request);
    this.deps.events.record('charge.refund.updated', refund, request, previous);
    return refund;
  }

  retrieve(id: string, params: Params): Refund {
    params.rejectUnknown([]);
    return this.refunds.get(id);
  }

  list(params: Params): ListPage<Refund> {
    params.rejectUnknown([...LIST_PARAMS, 'payment_intent', 'charge']);
    const paymentIntent = params.string('payment_intent');
    const charge = params.string('charge');
    const matching = this.refunds
      .all()
      .filter((refund) => paymentIntent === undefined || refund.payment_intent === paymentIntent)
      .filter((refund) => charge === undefined || refund.charge === charge);
    return listPage(matching, params, '/v1/refunds', 'refund');
  }

  find(id: string): Refund | undefined {
    return this.refunds.find(id);
  }

  all(): Refund[] {
    return this.refunds.all();
  }

  /** Forgets every refund, drops the settlements still to come, and settles refunds immediately again. */
  clear(): void {
    this.cancelScheduled();
    this.refunds.clear();
    this.unsettled.clear();
    this.settlementMode = 'immediate';
  }

  /** Drops the settlements still to come, so that nothing happens after the fake stops. */
  cancelScheduled(): void {
    for (const immediate of this.scheduled) clearImmediate(immediate);
    this.scheduled.clear();
  }

  /**
   * Runs a change once the request under way has been answered: Stripe's asynchronous refunds answer first and
   * change later, as their own batch of events.
   */
  private afterAnswer(change: () => void): void {
    const immediate = setImmediate(() => {
      this.scheduled.delete(immediate);
      change();
    });
    this.scheduled.add(immediate);
  }

  private cardOf(charge: Charge): TestCard {
    const { paymentMethods } = this.deps;
    return paymentMethods.cardOf(paymentMethods.get(charge.payment_method));
  }

  private succeededCharge(id: string): Charge {
    const charge = this.deps.charges.find(id);
    if (charge === undefined) {
      throw StripeError.invalidRequest(`No such charge: '${id}'`, {
        code: 'resource_missing',
        param: 'charge',
      });
    }
    if (charge.status !== 'succeeded') {
      throw StripeError.invalidRequest(
        `Charge ${id} has a status of ${charge.status} and cannot be refunded.`,
        {
          code: 'charge_not_refundable',
          param: 'charge',
        },
      );
    }
    return charge;
  }

  private chargeOfIntent(id: string): Charge {
    const intent = this.deps.paymentIntents.find(id);
    if (intent === undefined) {
      throw StripeError.invalidRequest(`No such payment_intent: '${id}'`, {
        code: 'resource_missing',
        param: 'payment_intent',
      });
    }
    if (intent.status !== 'succeeded' || intent.latest_charge === null) {
      throw StripeError.invalidRequest(
        `This PaymentIntent (${id}) does not have a successful charge to refund.`,
        {
          code: 'charge_not_refundable',
          param: 'payment_intent',
        },
      );
    }
    return this.succeededCharge(intent.latest_charge);
  }
}

/** The refund names the charge directly or through its PaymentIntent, one or the other. */
function readRefundTarget(params: Params): { param: 'charge' | 'payment_intent'; id: string } {
  const charge = params.string('charge');
  const paymentIntent = params.string('payment_intent');
  if (charge !== undefined && paymentIntent !== undefined) {
    throw StripeError.parametersExclusive('charge', 'payment_intent');
  }
  if (charge !== undefined) return { param: 'charge', id: charge };
  if (paymentIntent !== undefined) return { param: 'payment_intent', id: paymentIntent };
  throw new ParameterError(
    'One of the following params should be provided for this request: charge or payment_intent.',
    { code: 'parameter_missing' },
  );
}
