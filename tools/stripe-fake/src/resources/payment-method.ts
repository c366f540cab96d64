import type { Metadata } from '../metadata';
import type { TestCard } from '../test-cards';

/** A card PaymentMethod as Stripe returns it; every one the fake holds is a copy of a test card. */
export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  type: 'card';
  card: {
    brand: TestCard['brand'];
    last4: string;
    exp_month: number;
    exp_year: number;
    funding: TestCard['funding'];
    country: 'US';
  };
  billing_details: { address: null; email: null; name: null; phone: null };
  created: number;
  customer: null;
  livemode: false;
  metadata: Metadata;
}
