import type { Express } from 'express';
import type { OrdersContext } from './context';
import { ordersOpenApi } from './openapi';
import { cancelOrderRouter } from './routes/orders/cancel-order';
import { createOrderRouter } from './routes/orders/create-order';
import { listOrdersRouter } from './routes/orders/list-orders';
import { orderEventsRouter } from './routes/orders/order-events';
import { showOrderRouter } from './routes/orders/show-order';
import { createTicketRouter } from './routes/tickets/create-ticket';
import { listTicketsRouter } from './routes/tickets/list-tickets';
import { showTicketRouter } from './routes/tickets/show-ticket';
import { updateTicketRouter } from './routes/tickets/update-ticket';

/** Mounts the orders service's routes on the app common builds (probes, metrics, auth, errors). */
export function mountRoutes(app: Express, context: OrdersContext): void {
  app.get('/api/orders/openapi.json', (_req, res) => {
    res.json(ordersOpenApi);
  });
  app.use(
    createTicketRouter(context),
    listTicketsRouter(context),
    showTicketRouter(context),
    updateTicketRouter(context),
    createOrderRouter(context),
    listOrdersRouter(context),
    showOrderRouter(context),
    orderEventsRouter(context),
    cancelOrderRouter(context),
  );
}
