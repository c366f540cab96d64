import type Stripe from 'stripe';
import { StripeFake, type StripeFakeOptions } from '../../src';
import { stripeClient } from './stripe-client';

export interface FakeFixture {
  fake: StripeFake;
  stripe: Stripe;
}

/** One fake per test file, reset before each test so that tests do not see each other's objects. */
export function useStripeFake(options: StripeFakeOptions = {}): FakeFixture {
  const fixture = {} as FakeFixture;
  beforeAll(async () => {
    fixture.fake = await StripeFake.start(options);
    fixture.stripe = stripeClient(fixture.fake);
  });
  beforeEach(() => fixture.fake.reset());
  afterAll(() => fixture.fake.stop());
  return fixture;
}
