import type { Attempt, Order } from '../api/types';
import type { Tone } from '../ui/StatusBadge';

/** An order's state in a buyer's words. */
export function orderState(order: Order): { label: string; tone: Tone } {
  switch (order.status) {
    case 'created':
    case 'awaiting:payment':
      return { label: 'Awaiting payment', tone: 'wait' };
    case 'complete':
      return { label: 'Complete', tone: 'good' };
    case 'cancelled':
      if (order.cancellationReason === 'expired') return { label: 'Expired', tone: 'bad' };
      if (order.cancellationReason === 'refunded') return { label: 'Refunded', tone: 'neutral' };
      return { label: 'Cancelled', tone: 'bad' };
  }
}

/** An attempt's state in a buyer's words. */
export function attemptState(attempt: Attempt): { label: string; tone: Tone } {
  switch (attempt.status) {
    case 'pending':
      return { label: 'Processing', tone: 'wait' };
    case 'requires_action':
      return { label: 'Authentication required', tone: 'wait' };
    case 'succeeded':
      return { label: 'Paid', tone: 'good' };
    case 'failed':
      return { label: 'Declined', tone: 'bad' };
    case 'canceled':
      return { label: 'Cancelled', tone: 'neutral' };
  }
}

export function awaitsPayment(order: Order): boolean {
  return order.status === 'created' || order.status === 'awaiting:payment';
}
