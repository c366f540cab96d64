import { Collection } from '../collection';
import { formatAmount } from '../currencies';
import { newId } from '../ids';
import { LIST_PARAMS, listPage, type ListPage } from '../list-page';
import { updateMetadata } from '../metadata';
import type { Params } from '../params';
import { StripeError } from '../stripe-error';
import { unixTime } from '../unix-time';
import type { Charge } from './charge';
import type { Charges } from './charges';
import type { Events } from './events';
import type { PaymentIntents } from './payment-intents';
import { REFUND_REASONS, type Refund } from './refund';
import type { EventRequest } from './stripe-event';

export interface RefundsDependencies {
  charges: Charges;
  paymentIntents: PaymentIntents;
  events: Events;
}

/** The `/v1/refunds` endpoints: full or partial refunds of a successful charge, never beyond what it took. */
export class Refunds {
  private readonly refunds = new Collection<Refund>('refund');

  constructor(private readonly deps: RefundsDependencies) {}

  /** Without an `amount`, refunds whatever of the charge is not refunded yet. */
  create(params: Params, request: EventRequest): Refund {
    params.rejectUnknown(['payment_intent', 'charge', 'amount', 'reason', 'metadata']);
    const charge = this.chargeToRefund(params);
    const unrefunded = charge.amount - charge.amount_refunded;
    if (unrefunded === 0) {
      throw StripeError.invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
        charge: charge.id,
      });
    }
    const amount = params.integer('amount', { min: 1 }) ?? unrefunded;
    if (amount > unrefunded) {
      const format = (value: number) => `${formatAmount(value, charge.currency)} ${charge.currency}`;
      throw StripeError.invalidRequest(
        `Refund amount (${format(amount)}) is greater than unrefunded amount on charge ` +
          `(${format(unrefunded)})`,
        { code: 'amount_too_large', param: 'amount', charge: charge.id },
      );
    }
    const refund = this.refunds.add({
      id: newId('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: unixTime(),
      currency: charge.currency,
      metadata: updateMetadata({}, params),
      payment_intent: charge.payment_intent,
      reason: params.oneOf('reason', REFUND_REASONS) ?? null,
      status: 'succeeded',
    });
    this.deps.charges.addRefund(charge, amount);
    this.deps.events.record('refund.created', refund, request);
    this.deps.events.record('charge.refunded', charge, request);
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

  clear(): void {
    this.refunds.clear();
  }

  private chargeToRefund(params: Params): Charge {
    const chargeId = params.string('charge');
    const paymentIntentId = params.string('payment_intent');
    if (chargeId !== undefined && paymentIntentId !== undefined) {
      throw StripeError.parametersExclusive('charge', 'payment_intent');
    }
    if (chargeId !== undefined) return this.succeededCharge(chargeId);
    if (paymentIntentId !== undefined) return this.chargeOfIntent(paymentIntentId);
    throw StripeError.invalidRequest(
      'One of the following params should be provided for this request: charge or payment_intent.',
      { code: 'parameter_missing' },
    );
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
