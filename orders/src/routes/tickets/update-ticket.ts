import { authenticatedUser, requireAuth, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { param } from 'express-validator';
import type { OrdersContext } from '../../context';
import { toTicketResponse } from '../../models/ticket';
import { updateTicket } from '../../models/ticket-catalog';
import { readTicketDetails, ticketDetailsValidation } from './ticket-details';

export function updateTicketRouter({ db }: OrdersContext): Router {
  return Router().put(
    '/api/tickets/:id',
    requireAuth,
    param('id').isUUID().withMessage('id must be a UUID'),
    ...ticketDetailsValidation,
    validateRequest,
    async (req, res) => {
      const seller = authenticatedUser(req);
      const ticket = await db
        .transaction()
        .execute((trx) => updateTicket(trx, req.params.id as string, seller.id, readTicketDetails(req.body)));
      res.json(toTicketResponse(ticket));
    },
  );
}
