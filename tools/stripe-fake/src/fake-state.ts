import { buildLedger, type Ledger } from './ledger';
import { Charges } from './resources/charges';
import { Events, type EventSink } from './resources/events';
import { PaymentAttempts } from './resources/payment-attempts';
import { PaymentIntents } from './resources/payment-intents';
import { PaymentMethods } from './resources/payment-methods';
import { Refunds } from './resources/refunds';

/** Everything the fake remembers, wired together: the Stripe objects and the events they caused. */
export class FakeState {
  readonly paymentMethods = new PaymentMethods();
  readonly events: Events;
  readonly charges: Charges;
  readonly paymentIntents: PaymentIntents;
  readonly refunds: Refunds;

  /** @param authenticationUrl where a customer would complete 3-D Secure for an intent */
  constructor(webhooks: EventSink, authenticationUrl: (paymentIntentId: string) => string) {
    const { paymentMethods } = this;
    const events = (this.events = new Events(webhooks));
    const charges = (this.charges = new Charges(events));
    const attempts = new PaymentAttempts({ paymentMethods, charges, events, authenticationUrl });
    const paymentIntents = (this.paymentIntents = new PaymentIntents({ paymentMethods, attempts, events }));
    this.refunds = new Refunds({ charges, paymentIntents, paymentMethods, events });
  }

  /** Any stored object by id, whatever its kind: what `expand[]` replaces ids with. */
  findObject(id: string): object | undefined {
    return (
      this.paymentIntents.find(id) ??
      this.charges.find(id) ??
      this.paymentMethods.find(id) ??
      this.refunds.find(id)
    );
  }

  ledger(): Ledger {
    return buildLedger(this.charges.all(), this.refunds.all());
  }

  /** Drops what was still to happen later (refunds settling), so that nothing changes once the fake stops. */
  stop(): void {
    this.refunds.cancelScheduled();
  }

  clear(): void {
    this.paymentMethods.clear();
    this.events.clear();
    this.charges.clear();
    this.paymentIntents.clear();
    this.refunds.clear();
  }
}
