import { Collection } from '../collection';
import { checkChargeAmount, readChargeAmount, readCurrency } from '../charge-amount-params';
import { newClientSecret, newId } from '../ids';
import { LIST_PARAMS, listPage, type ListPage } from '../list-page';
import { updateMetadata } from '../metadata';
import type { Params } from '../params';
import { StripeError } from '../stripe-error';
import { unixTime } from '../unix-time';
import {
  readAcceptedPaymentMethods,
  refuseWritablePaymentMethodTypes,
  requireReturnUrl,
} from './accepted-payment-methods';
import type { Events } from './events';
import type { AuthenticationOutcome, PaymentAttempts } from './payment-attempts';
import { CANCELLATION_REASONS, type PaymentIntent } from './payment-intent';
import type { PaymentMethod } from './payment-method';
import type { PaymentMethods } from './payment-methods';
import type { EventRequest } from './stripe-event';

/** Real Stripe parameters a client may send that change nothing in the fake. */
const IGNORED_PARAMS = [
  'statement_descriptor',
  'statement_descriptor_suffix',
  'setup_future_usage',
  'payment_method_options',
  'use_stripe_sdk',
];
const PAYMENT_METHOD_PARAMS = ['payment_method', 'payment_method_data'];
const UPDATE_PARAMS = [
  'amount',
  'currency',
  'metadata',
  'description',
  'receipt_email',
  'customer',
  ...PAYMENT_METHOD_PARAMS,
  ...IGNORED_PARAMS,
];
const CREATE_PARAMS = [
  ...UPDATE_PARAMS,
  'confirm',
  'return_url',
  'capture_method',
  'automatic_payment_methods',
  'allowed_payment_method_types',
];
const CONFIRM_PARAMS = ['return_url', 'receipt_email', ...PAYMENT_METHOD_PARAMS, ...IGNORED_PARAMS];

/** The statuses in which an intent can still change course: be updated, confirmed or canceled. */
const OPEN_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

type IntentDetails = Pick<PaymentIntent, 'metadata' | 'description' | 'receipt_email' | 'customer'>;

const NO_DETAILS: IntentDetails = { metadata: {}, description: null, receipt_email: null, customer: null };

export interface PaymentIntentsDependencies {
  paymentMethods: PaymentMethods;
  attempts: PaymentAttempts;
  events: Events;
}

/** The `/v1/payment_intents` endpoints. */
export class PaymentIntents {
  private readonly intents = new Collection<PaymentIntent>('payment_intent', 'intent');

  constructor(private readonly deps: PaymentIntentsDependencies) {}

  create(params: Params, request: EventRequest): PaymentIntent {
    refuseWritablePaymentMethodTypes(params);
    params.rejectUnknown(CREATE_PARAMS);
    const { amount, currency } = readChargeAmount(params);
    // Manual capture is not faked, so `manual` is refused rather than silently captured.
    const captureMethod =
      params.oneOf('capture_method', ['automatic', 'automatic_async']) ?? 'automatic_async';
    const accepted = readAcceptedPaymentMethods(params);
    const details = this.readDetails(params, NO_DETAILS);
    const confirm = params.boolean('confirm') ?? false;
    const returnUrl = params.string('return_url');
    if (confirm) requireReturnUrl(accepted.automatic_payment_methods, returnUrl);
    const paymentMethod = this.readPaymentMethod(params);
    const id = newId('pi');
    const intent = this.intents.add({
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      ...accepted,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod,
      client_secret: newClientSecret(id),
      confirmation_method: 'automatic',
      created: unixTime(),
      currency,
      ...details,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      next_action: null,
      payment_method: paymentMethod?.id ?? null,
      status: paymentMethod === undefined ? 'requires_payment_method' : 'requires_confirmation',
    });
    this.deps.events.record('payment_intent.created', intent, request);
    if (confirm) this.deps.attempts.attempt(intent, returnUrl, request);
    return intent;
  }

  retrieve(id: string, params: Params): PaymentIntent {
    params.rejectUnknown(['client_secret']);
    return this.intents.get(id);
  }

  /** Metadata and descriptions may change at any time; amount, currency and payment method while open. */
  update(id: string, params: Params): PaymentIntent {
    refuseWritablePaymentMethodTypes(params);
    params.rejectUnknown(UPDATE_PARAMS);
    const intent = this.intents.get(id);
    const paymentChange = ['amount', 'currency', ...PAYMENT_METHOD_PARAMS].find((key) => params.has(key));
    if (paymentChange !== undefined) {
      this.requireOpen(
        intent,
        `This PaymentIntent's ${paymentChange} could not be updated because it has a status of ` +
          `${intent.status}. You may only update the ${paymentChange} of a PaymentIntent with one of the ` +
          'following statuses: ' +
          `${OPEN_STATUSES.join(', ')}.`,
      );
    }
    const currency = params.has('currency') ? readCurrency(params) : intent.currency;
    const amount = params.integer('amount') ?? intent.amount;
    checkChargeAmount(amount, currency, params);
    const details = this.readDetails(params, intent);
    const paymentMethod = this.readPaymentMethod(params);

    Object.assign(intent, { amount, currency }, details);
    if (paymentMethod !== undefined) {
      intent.payment_method = paymentMethod.id;
      intent.status = 'requires_confirmation';
      intent.next_action = null;
    }
    return intent;
  }

  confirm(id: string, params: Params, request: EventRequest): PaymentIntent {
    refuseWritablePaymentMethodTypes(params);
    params.rejectUnknown(CONFIRM_PARAMS);
    const receiptEmail = params.string('receipt_email');
    const returnUrl = params.string('return_url');
    const intent = this.intents.get(id);
    this.requireOpen(
      intent,
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a ` +
        `PaymentIntent with one of the following statuses may be confirmed: ${OPEN_STATUSES.join(', ')}.`,
    );
    requireReturnUrl(intent.automatic_payment_methods, returnUrl);
    const paymentMethod = this.readPaymentMethod(params);
    intent.receipt_email = receiptEmail ?? intent.receipt_email;
    if (paymentMethod !== undefined) intent.payment_method = paymentMethod.id;
    this.deps.attempts.attempt(intent, returnUrl, request);
    return intent;
  }

  cancel(id: string, params: Params, request: EventRequest): PaymentIntent {
    params.rejectUnknown(['cancellation_reason']);
    const intent = this.intents.get(id);
    this.requireOpen(
      intent,
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a ` +
        `PaymentIntent with one of the following statuses may be canceled: ${OPEN_STATUSES.join(', ')}.`,
    );
    intent.cancellation_reason = params.oneOf('cancellation_reason', CANCELLATION_REASONS) ?? null;
    intent.status = 'canceled';
    intent.canceled_at = unixTime();
    intent.next_action = null;
    this.deps.events.record('payment_intent.canceled', intent, request);
    return intent;
  }

  list(params: Params): ListPage<PaymentIntent> {
    params.rejectUnknown([...LIST_PARAMS, 'customer']);
    const customer = params.string('customer');
    const matching = this.intents
      .all()
      .filter((intent) => customer === undefined || intent.customer === customer);
    return listPage(matching, params, '/v1/payment_intents', 'payment_intent');
  }

  authenticate(id: string, outcome: AuthenticationOutcome, request: EventRequest): PaymentIntent {
    const intent = this.intents.get(id);
    this.deps.attempts.authenticate(intent, outcome, request);
    return intent;
  }

  find(id: string): PaymentIntent | undefined {
    return this.intents.find(id);
  }

  clear(): void {
    this.intents.clear();
  }

  /** The descriptive fields, which may change whatever the intent's status. */
  private readDetails(params: Params, current: IntentDetails): IntentDetails {
    return {
      metadata: updateMetadata(current.metadata, params),
      description: params.string('description') ?? current.description,
      receipt_email: params.string('receipt_email') ?? current.receipt_email,
      customer: params.string('customer') ?? current.customer,
    };
  }

  /** Read last: naming a test card makes a PaymentMethod, which should happen only for a valid request. */
  private readPaymentMethod(params: Params): PaymentMethod | undefined {
    const data = params.nested('payment_method_data');
    const id = params.string('payment_method');
    if (data !== undefined && id !== undefined) {
      throw StripeError.parametersExclusive('payment_method', 'payment_method_data');
    }
    if (data !== undefined) return this.deps.paymentMethods.createFromData(data);
    return id === undefined ? undefined : this.deps.paymentMethods.resolve(id, params.name('payment_method'));
  }

  private requireOpen(intent: PaymentIntent, message: string): void {
    if (!OPEN_STATUSES.includes(intent.status)) {
      throw StripeError.invalidRequest(message, {
        code: 'payment_intent_unexpected_state',
        payment_intent: structuredClone(intent),
      });
    }
  }
}
