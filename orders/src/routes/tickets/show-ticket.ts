import { declareRoute, NotFoundError } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { ticketResponse, toTicketResponse } from '../../models/ticket';
import { idParam } from '../ids';

export const showTicketRoute = declareRoute(
  {
    method: 'get',
    path: '/api/tickets/:id',
    summary: 'Show a ticket',
    params: idParam,
    responses: { 200: { description: 'The ticket', body: ticketResponse } },
    errors: { 404: 'No such ticket' },
  },
  ({ db }: OrdersContext) =>
    async ({ params }, _req, res) => {
      const ticket = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', params.id)
        .executeTakeFirst();
      if (!ticket) throw new NotFoundError('Ticket not found');
      res.json(toTicketResponse(ticket));
    },
);
