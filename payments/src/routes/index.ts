import { listAttemptsRoute } from './admin/list-attempts';
import { listPaymentsRoute } from './admin/list-payments';
import { listRefundsRoute } from './admin/list-refunds';
import { refundPaymentRoute } from './admin/refund-payment';
import { showOrderTimelineRoute } from './admin/show-order-timeline';
import { showStatsRoute } from './admin/show-stats';
import { showStuckItemsRoute } from './admin/show-stuck-items';
import { createPaymentRoute } from './create-payment';
import { orderPaymentsEventsRoute, orderPaymentsRoute } from './order-payments';
import { listOrderPaymentsRoute, showAttemptRoute, showPaymentRoute } from './show-payment';
import { stripeWebhookRoute } from './stripe-webhook';

/**
 * Every route of the payments service, each with its contract: app.ts mounts them, openapi.ts documents
 * them. The fixed paths come before `/api/payments/:id`, which would take any of them for a payment id.
 */
export const paymentsRoutes = [
  createPaymentRoute,
  listOrderPaymentsRoute,
  showAttemptRoute,
  orderPaymentsRoute,
  orderPaymentsEventsRoute,
  stripeWebhookRoute,
  listAttemptsRoute,
  listPaymentsRoute,
  showOrderTimelineRoute,
  showStatsRoute,
  listRefundsRoute,
  showStuckItemsRoute,
  refundPaymentRoute,
  showPaymentRoute,
];
