import Stripe from 'stripe';
import { useStripeFake } from './support/fake-fixture';
import { NO_REDIRECTS } from './support/no-redirects';
import { rejectionOf } from './support/rejection-of';

const fixture = useStripeFake();

function pay(paymentMethod: string): Promise<Stripe.PaymentIntent> {
  return fixture.stripe.paymentIntents.create({
    amount: 1000,
    currency: 'usd',
    payment_method: paymentMethod,
    confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
    expand: ['payment_method'],
  });
}

const GENERIC = 'Your card was declined.';

describe("the test PaymentMethods and tokens Stripe's testing page lists", () => {
  it.each([
    ['pm_card_visa_debit', 'visa', '5556', 'debit'],
    ['pm_card_mastercard_debit', 'mastercard', '8210', 'debit'],
    ['pm_card_mastercard_prepaid', 'mastercard', '5100', 'prepaid'],
    ['pm_card_discover', 'discover', '1117', 'credit'],
    ['pm_card_diners', 'diners', '0004', 'credit'],
    ['pm_card_jcb', 'jcb', '0505', 'credit'],
    ['pm_card_unionpay', 'unionpay', '0005', 'credit'],
    ['tok_unionpay', 'unionpay', '0005', 'credit'],
    ['pm_card_threeDSecureOptional', 'visa', '3055', 'credit'],
    ['pm_card_amex_threeDSecureNotSupported', 'amex', '0005', 'credit'],
    ['pm_card_bypassPending', 'visa', '0077', 'credit'],
  ])('%s pays with a %s card ending %s (%s)', async (paymentMethod, brand, last4, funding) => {
    const intent = await pay(paymentMethod);

    expect(intent.status).toBe('succeeded');
    expect(intent.payment_method).toMatchObject({ card: { brand, last4, funding } });
  });

  it.each([
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline', GENERIC],
    [
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card', GENERIC],
    ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card', GENERIC],
    [
      'pm_card_visa_chargeDeclinedVelocityLimitExceeded',
      'card_declined',
      'card_velocity_exceeded',
      'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
    ],
    [
      'pm_card_chargeDeclinedIncorrectCvc',
      'incorrect_cvc',
      'incorrect_cvc',
      "Your card's security code is incorrect.",
    ],
    [
      'pm_card_chargeDeclinedProcessingError',
      'processing_error',
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
    ],
    ['tok_visa_chargeDeclined', 'card_declined', 'generic_decline', GENERIC],
    ['tok_visa_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
    [
      'tok_visa_debit_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['pm_card_chargeDeclinedLostCard', 'card_declined', 'lost_card', GENERIC],
  ])('%s is declined with %s / %s', async (paymentMethod, code, declineCode, message) => {
    const error = await rejectionOf(pay(paymentMethod));

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code, decline_code: declineCode, message });
  });

  it.each([
    'pm_card_authenticationRequired',
    'pm_card_authenticationRequiredOnSetup',
    'pm_card_authenticationRequiredSetupForOffSession',
    'pm_card_threeDSecure2Required',
    'tok_threeDSecure2Required',
  ])('%s asks for 3-D Secure, then charges', async (paymentMethod) => {
    const intent = await pay(paymentMethod);

    expect(intent.status).toBe('requires_action');
    expect(fixture.fake.authenticate(intent.id, 'succeed').status).toBe('succeeded');
  });

  it('pm_card_threeDSecureRequiredChargeDeclined asks for 3-D Secure, then is declined', async () => {
    const intent = await pay('pm_card_threeDSecureRequiredChargeDeclined');

    const authenticated = fixture.fake.authenticate(intent.id, 'succeed');

    expect(intent.status).toBe('requires_action');
    expect(authenticated).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' },
    });
  });

  it.each(['pm_card_refundFail', 'tok_refundFail', 'pm_card_pendingRefund', 'tok_pendingRefund'])(
    '%s pays; its refunds settle later (see the refund tests)',
    async (paymentMethod) => {
      expect((await pay(paymentMethod)).status).toBe('succeeded');
    },
  );

  it('refuses a name Stripe does not document with resource_missing', async () => {
    const error = await rejectionOf(pay('pm_card_visa_chargeDeclinedSomehow'));

    expect(error).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method' });
  });
});
