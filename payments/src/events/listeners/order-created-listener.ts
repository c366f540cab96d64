import { defineListener } from '@ticketing/bus';
import type { PaymentsDatabase } from '../../database/schema';
import { replicateCreatedOrder } from '../../models/order-replica';

/** An order to expect payment for. */
export const orderCreatedListener = defineListener<PaymentsDatabase, 'orders.created'>(
  'orders.created',
  async (event, { trx }) => {
    await replicateCreatedOrder(trx, event.data);
  },
);
