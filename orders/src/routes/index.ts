import { createOrderRoute } from './orders/create-order';
import { cancelOrderRoute } from './orders/cancel-order';
import { listOrdersRoute } from './orders/list-orders';
import { orderEventsRoute } from './orders/order-events';
import { showOrderRoute } from './orders/show-order';
import { createTicketRoute } from './tickets/create-ticket';
import { listTicketsRoute } from './tickets/list-tickets';
import { showTicketRoute } from './tickets/show-ticket';
import { updateTicketRoute } from './tickets/update-ticket';

/** Every route of the orders service, each with its contract: app.ts mounts them, openapi.ts documents them. */
export const ordersRoutes = [
  createTicketRoute,
  listTicketsRoute,
  showTicketRoute,
  updateTicketRoute,
  createOrderRoute,
  listOrdersRoute,
  showOrderRoute,
  orderEventsRoute,
  cancelOrderRoute,
];
