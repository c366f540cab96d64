import { authenticatedUser, idempotency, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import type { OrdersContext } from '../../context';
import { toTicketResponse } from '../../models/ticket';
import { createTicket } from '../../models/ticket-catalog';
import { readTicketDetails, ticketDetailsValidation } from './ticket-details';

export function createTicketRouter({ db }: OrdersContext): Router {
  return Router().post(
    '/api/tickets',
    requireAuth,
    idempotency(db),
    ...ticketDetailsValidation,
    validateRequest,
    async (req, res) => {
      const seller = authenticatedUser(req);
      const ticket = await db
        .transaction()
        .execute((trx) => createTicket(trx, seller.id, readTicketDetails(req.body)));
      res.status(201).location(`/api/tickets/${ticket.id}`).json(toTicketResponse(ticket));
    },
  );
}
