/**
 * Stripe's test PaymentMethods, by the name a person recognises. They work against the local Stripe fake
 * and against Stripe itself in test mode (https://docs.stripe.com/testing).
 */
export const TEST_PAYMENT_METHODS = [
  { id: 'pm_card_visa', label: 'Visa: succeeds' },
  { id: 'pm_card_mastercard', label: 'Mastercard: succeeds' },
  { id: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Visa: declined, insufficient funds' },
  { id: 'pm_card_chargeDeclined', label: 'Visa: declined, generic decline' },
  { id: 'pm_card_authenticationRequired', label: 'Visa: 3-D Secure authentication' },
] as const;
