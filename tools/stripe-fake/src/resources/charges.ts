import { Collection } from '../collection';
import { newId } from '../ids';
import { LIST_PARAMS, listPage, type ListPage } from '../list-page';
import type { Params } from '../params';
import type { CardDecline } from '../test-cards';
import { unixTime } from '../unix-time';
import type { Charge } from './charge';
import type { Events } from './events';
import type { PaymentIntent } from './payment-intent';
import type { PaymentMethod } from './payment-method';
import type { EventRequest } from './stripe-event';

/** Every charge ever attempted: what the ledger and refunds are built on. */
export class Charges {
  private readonly charges = new Collection<Charge>('charge');

  constructor(private readonly events: Events) {}

  /** Charges the intent's full amount; a decline still leaves a `failed` charge, as in Stripe. */
  create(
    intent: PaymentIntent,
    paymentMethod: PaymentMethod,
    decline: CardDecline | undefined,
    request: EventRequest,
  ): Charge {
    const { brand, last4, exp_month, exp_year } = paymentMethod.card;
    const succeeded = decline === undefined;
    const charge = this.charges.add({
      id: newId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: succeeded ? intent.amount : 0,
      amount_refunded: 0,
      balance_transaction: null,
      captured: succeeded,
      created: unixTime(),
      currency: intent.currency,
      description: intent.description,
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      livemode: false,
      metadata: { ...intent.metadata },
      outcome: succeeded
        ? {
            network_status: 'approved_by_network',
            reason: null,
            risk_level: 'normal',
            seller_message: 'Payment complete.',
            type: 'authorized',
          }
        : {
            network_status: 'declined_by_network',
            reason: decline.declineCode,
            risk_level: 'normal',
            seller_message: `The bank returned the decline code \`${decline.declineCode}\`.`,
            type: 'issuer_declined',
          },
      paid: succeeded,
      payment_intent: intent.id,
      payment_method: paymentMethod.id,
      payment_method_details: { type: 'card', card: { brand, last4, exp_month, exp_year } },
      refunded: false,
      status: succeeded ? 'succeeded' : 'failed',
    });
    this.events.record(succeeded ? 'charge.succeeded' : 'charge.failed', charge, request);
    return charge;
  }

  /** A refund takes its amount from the charge when it is created, pending or not. */
  addRefund(charge: Charge, amount: number): void {
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }

  /** A failed refund gives its amount back to the charge, which can then be refunded again. */
  returnRefund(charge: Charge, amount: number): void {
    charge.amount_refunded -= amount;
    charge.refunded = false;
  }

  retrieve(id: string, params: Params): Charge {
    params.rejectUnknown([]);
    return this.charges.get(id);
  }

  list(params: Params): ListPage<Charge> {
    params.rejectUnknown([...LIST_PARAMS, 'payment_intent']);
    const paymentIntent = params.string('payment_intent');
    const matching = this.charges
      .all()
      .filter((charge) => paymentIntent === undefined || charge.payment_intent === paymentIntent);
    return listPage(matching, params, '/v1/charges', 'charge');
  }

  find(id: string): Charge | undefined {
    return this.charges.find(id);
  }

  get(id: string): Charge {
    return this.charges.get(id);
  }

  all(): Charge[] {
    return this.charges.all();
  }

  clear(): void {
    this.charges.clear();
  }
}
