import { authenticatedUser, declareRoute } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { ticketResponse, toTicketResponse } from '../../models/ticket';
import { updateTicket } from '../../models/ticket-catalog';
import { idParam } from '../ids';
import { ticketDetails } from './ticket-details';

export const updateTicketRoute = declareRoute(
  {
    method: 'put',
    path: '/api/tickets/:id',
    summary: 'Change your ticket (not while an order holds it)',
    access: 'user',
    params: idParam,
    body: ticketDetails,
    responses: { 200: { description: 'The ticket', body: ticketResponse } },
    errors: { 403: 'Not your ticket', 404: 'No such ticket', 409: 'Reserved by an order' },
  },
  ({ db }: OrdersContext) =>
    async ({ params, body }, req, res) => {
      const seller = authenticatedUser(req);
      const ticket = await db.transaction().execute((trx) => updateTicket(trx, params.id, seller.id, body));
      res.json(toTicketResponse(ticket));
    },
);
