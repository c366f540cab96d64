import { answerOnce, authenticatedUser, declareRoute, retryTransaction } from '@ticketing/service';
import type { OrdersContext } from '../../context';
import { ticketResponse, toTicketResponse } from '../../models/ticket';
import { createTicket } from '../../models/ticket-catalog';
import { ticketDetails } from './ticket-details';

export const createTicketRoute = declareRoute(
  {
    method: 'post',
    path: '/api/tickets',
    summary: 'Put a ticket on sale',
    access: 'user',
    idempotency: 'optional',
    body: ticketDetails,
    responses: {
      201: { description: 'The ticket', body: ticketResponse, headers: { Location: 'the ticket' } },
    },
  },
  ({ db }: OrdersContext) =>
    async ({ body }, req, res) => {
      const seller = authenticatedUser(req);
      await answerOnce(db, res, (db) =>
        retryTransaction(db, async (trx) => {
          const ticket = await createTicket(trx, seller.id, body);
          return { status: 201, location: `/api/tickets/${ticket.id}`, body: toTicketResponse(ticket) };
        }),
      );
    },
);
