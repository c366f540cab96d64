/** How an issuer turns down a charge: Stripe's `code`, `decline_code` and customer-facing message. */
export interface CardDecline {
  code: string;
  declineCode: string;
  message: string;
}

/** A test card Stripe documents, and what the fake does when it is charged. */
export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  /** The issuer asks for 3-D Secure first; the charge waits until `/_fake/.../authenticate` settles it. */
  requiresAuthentication: boolean;
  /** Absent: the charge succeeds. */
  decline?: CardDecline;
}

const GENERIC_DECLINE: CardDecline = {
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};
const INSUFFICIENT_FUNDS: CardDecline = {
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
};

function card(brand: TestCard['brand'], last4: string, outcome: Partial<TestCard> = {}): TestCard {
  return { brand, last4, requiresAuthentication: false, ...outcome };
}

/**
 * Usable as `pm_card_<name>` (a test PaymentMethod) or `tok_<name>` (a test token), as in Stripe's test mode.
 * See https://docs.stripe.com/testing.
 */
const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  visa: card('visa', '4242'),
  mastercard: card('mastercard', '4444'),
  amex: card('amex', '8431'),
  chargeDeclined: card('visa', '0002', { decline: GENERIC_DECLINE }),
  chargeDeclinedInsufficientFunds: card('visa', '9995', { decline: INSUFFICIENT_FUNDS }),
  chargeDeclinedLostCard: card('visa', '9987', { decline: { ...GENERIC_DECLINE, declineCode: 'lost_card' } }),
  chargeDeclinedStolenCard: card('visa', '9979', {
    decline: { ...GENERIC_DECLINE, declineCode: 'stolen_card' },
  }),
  chargeDeclinedFraudulent: card('visa', '0019', {
    decline: { ...GENERIC_DECLINE, declineCode: 'fraudulent' },
  }),
  chargeDeclinedExpiredCard: card('visa', '0069', {
    decline: { code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.' },
  }),
  chargeDeclinedIncorrectCvc: card('visa', '0127', {
    decline: {
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
    },
  }),
  chargeDeclinedProcessingError: card('visa', '0119', {
    decline: {
      code: 'processing_error',
      declineCode: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    },
  }),
  authenticationRequired: card('visa', '3184', { requiresAuthentication: true }),
  threeDSecure2Required: card('visa', '3220', { requiresAuthentication: true }),
  authenticationRequiredChargeDeclinedInsufficientFunds: card('visa', '3178', {
    requiresAuthentication: true,
    decline: INSUFFICIENT_FUNDS,
  }),
};

export function findTestPaymentMethod(id: string): TestCard | undefined {
  return id.startsWith('pm_card_') ? lookup(id.slice('pm_card_'.length)) : undefined;
}

export function findTestToken(id: string): TestCard | undefined {
  return id.startsWith('tok_') ? lookup(id.slice('tok_'.length)) : undefined;
}

function lookup(name: string): TestCard | undefined {
  return Object.hasOwn(TEST_CARDS, name) ? TEST_CARDS[name] : undefined;
}
