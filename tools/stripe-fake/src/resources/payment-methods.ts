import { Collection } from '../collection';
import { newId } from '../ids';
import type { Params } from '../params';
import { StripeError } from '../stripe-error';
import { findTestPaymentMethod, findTestToken, type TestCard } from '../test-cards';
import { unixTime } from '../unix-time';
import type { PaymentMethod } from './payment-method';

/**
 * The PaymentMethods made from test cards. As in Stripe's test mode, naming a test card (`pm_card_visa`) or
 * a test token (`tok_visa`) makes a new `pm_...` object, so an intent never shows the test card's name.
 */
export class PaymentMethods {
  private readonly paymentMethods = new Collection<PaymentMethod>('payment_method');
  private readonly cards = new Map<string, TestCard>();

  retrieve(id: string, params: Params): PaymentMethod {
    params.rejectUnknown([]);
    return this.paymentMethods.get(id);
  }

  /** Throws a 404 for an id this fake never made. */
  get(id: string): PaymentMethod {
    return this.paymentMethods.get(id);
  }

  find(id: string): PaymentMethod | undefined {
    return this.paymentMethods.find(id);
  }

  /** What charging the payment method does. */
  cardOf(paymentMethod: PaymentMethod): TestCard {
    const card = this.cards.get(paymentMethod.id);
    if (card === undefined) throw new Error(`Payment method ${paymentMethod.id} was not made by this fake`);
    return card;
  }

  /** The `payment_method` parameter: a stored PaymentMethod, a test card, or (a convenience) a test token. */
  resolve(id: string, param: string): PaymentMethod {
    const stored = this.paymentMethods.find(id);
    if (stored !== undefined) return stored;
    const card = findTestPaymentMethod(id) ?? findTestToken(id);
    if (card === undefined) {
      throw StripeError.invalidRequest(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param });
    }
    return this.create(card);
  }

  /** The `payment_method_data` parameter, how one pays with a token: `{ type: 'card', card: { token } }`. */
  createFromData(data: Params): PaymentMethod {
    data.requiredOneOf('type', ['card']);
    const card = data.nested('card');
    if (card === undefined) throw StripeError.parameterMissing(data.name('card'));
    const token = card.requiredString('token');
    const testCard = findTestToken(token);
    if (testCard === undefined) {
      throw StripeError.invalidRequest(`No such token: '${token}'`, {
        code: 'resource_missing',
        param: card.name('token'),
      });
    }
    return this.create(testCard);
  }

  clear(): void {
    this.paymentMethods.clear();
    this.cards.clear();
  }

  private create(card: TestCard): PaymentMethod {
    const paymentMethod = this.paymentMethods.add({
      id: newId('pm'),
      object: 'payment_method',
      type: 'card',
      card: {
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        funding: card.funding,
        country: 'US',
      },
      billing_details: { address: null, email: null, name: null, phone: null },
      created: unixTime(),
      customer: null,
      livemode: false,
      metadata: {},
    });
    this.cards.set(paymentMethod.id, card);
    return paymentMethod;
  }
}
