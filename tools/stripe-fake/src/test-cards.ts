/** How an issuer turns down a charge: Stripe's `code`, `decline_code` and customer-facing message. */
export interface CardDecline {
  code: string;
  declineCode: string;
  message: string;
}

/** How a refund of the card's charges settles later, as Stripe's asynchronous refund test cards do. */
export type AsyncRefund = 'succeeds' | 'fails';

/** A test card Stripe documents, and what the fake does when it is charged or refunded. */
export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay';
  last4: string;
  funding: 'credit' | 'debit' | 'prepaid';
  /** The issuer asks for 3-D Secure first; the charge waits until `/_fake/.../authenticate` settles it. */
  requiresAuthentication: boolean;
  /** Absent: the charge succeeds. */
  decline?: CardDecline;
  /** `succeeds`: a refund begins `pending`, then succeeds. `fails`: it begins `succeeded`, then fails. */
  asyncRefund?: AsyncRefund;
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
const EXPIRED_CARD: CardDecline = {
  code: 'expired_card',
  declineCode: 'expired_card',
  message: 'Your card has expired.',
};
const INCORRECT_CVC: CardDecline = {
  code: 'incorrect_cvc',
  declineCode: 'incorrect_cvc',
  message: "Your card's security code is incorrect.",
};
const PROCESSING_ERROR: CardDecline = {
  code: 'processing_error',
  declineCode: 'processing_error',
  message: 'An error occurred while processing your card. Try again in a little bit.',
};
const VELOCITY_LIMIT_EXCEEDED: CardDecline = {
  code: 'card_declined',
  declineCode: 'card_velocity_exceeded',
  message:
    'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
};

function declinedWith(declineCode: string): CardDecline {
  return { ...GENERIC_DECLINE, declineCode };
}

function card(brand: TestCard['brand'], last4: string, outcome: Partial<TestCard> = {}): TestCard {
  return { brand, last4, funding: 'credit', requiresAuthentication: false, ...outcome };
}

/** Declining Visa cards by their older names; Stripe's testing page lists them as `visa_<name>` today. */
const DECLINING_VISAS: Readonly<Record<string, TestCard>> = {
  chargeDeclined: card('visa', '0002', { decline: GENERIC_DECLINE }),
  chargeDeclinedInsufficientFunds: card('visa', '9995', { decline: INSUFFICIENT_FUNDS }),
  chargeDeclinedLostCard: card('visa', '9987', { decline: declinedWith('lost_card') }),
  chargeDeclinedStolenCard: card('visa', '9979', { decline: declinedWith('stolen_card') }),
  chargeDeclinedFraudulent: card('visa', '0019', { decline: declinedWith('fraudulent') }),
  chargeDeclinedExpiredCard: card('visa', '0069', { decline: EXPIRED_CARD }),
  chargeDeclinedIncorrectCvc: card('visa', '0127', { decline: INCORRECT_CVC }),
  chargeDeclinedProcessingError: card('visa', '0119', { decline: PROCESSING_ERROR }),
};

/**
 * Usable as `pm_card_<name>` (a test PaymentMethod) or `tok_<name>` (a test token), as in Stripe's test mode:
 * the names https://docs.stripe.com/testing lists for brands, declines, 3-D Secure and asynchronous refunds,
 * and the older names (`chargeDeclined`, ...) integrations still use.
 */
const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  visa: card('visa', '4242'),
  visa_debit: card('visa', '5556', { funding: 'debit' }),
  mastercard: card('mastercard', '4444'),
  mastercard_debit: card('mastercard', '8210', { funding: 'debit' }),
  mastercard_prepaid: card('mastercard', '5100', { funding: 'prepaid' }),
  amex: card('amex', '8431'),
  discover: card('discover', '1117'),
  diners: card('diners', '0004'),
  jcb: card('jcb', '0505'),
  unionpay: card('unionpay', '0005'),
  bypassPending: card('visa', '0077'),
  bypassPendingInternational: card('visa', '0278'),

  ...DECLINING_VISAS,
  ...Object.fromEntries(Object.entries(DECLINING_VISAS).map(([name, visa]) => [`visa_${name}`, visa])),
  visa_debit_chargeDeclinedInsufficientFunds: card('visa', '9995', {
    funding: 'debit',
    decline: INSUFFICIENT_FUNDS,
  }),
  visa_chargeDeclinedVelocityLimitExceeded: card('visa', '6975', { decline: VELOCITY_LIMIT_EXCEEDED }),

  // Without customers or off-session payments, every one of these asks for 3-D Secure on-session.
  authenticationRequired: card('visa', '3184', { requiresAuthentication: true }),
  authenticationRequiredOnSetup: card('visa', '3155', { requiresAuthentication: true }),
  authenticationRequiredSetupForOffSession: card('visa', '0446', { requiresAuthentication: true }),
  authenticationRequiredChargeDeclinedInsufficientFunds: card('visa', '3178', {
    requiresAuthentication: true,
    decline: INSUFFICIENT_FUNDS,
  }),
  threeDSecure2Required: card('visa', '3220', { requiresAuthentication: true }),
  threeDSecureRequiredChargeDeclined: card('visa', '1629', {
    requiresAuthentication: true,
    decline: GENERIC_DECLINE,
  }),
  // 3-D Secure is only supported, not required, and Stripe does not request it by default: no challenge.
  threeDSecureOptional: card('visa', '3055'),
  threeDSecureOptionalProcessingError: card('visa', '3097'),
  amex_threeDSecureNotSupported: card('amex', '0005'),

  pendingRefund: card('visa', '7726', { asyncRefund: 'succeeds' }),
  refundFail: card('visa', '5126', { asyncRefund: 'fails' }),
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
