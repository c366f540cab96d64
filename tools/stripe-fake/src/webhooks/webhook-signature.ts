import { createHmac } from 'node:crypto';

/** The `Stripe-Signature` header that `stripe.webhooks.constructEvent` verifies. */
export function webhookSignature(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
