import { NotFoundError, validateRequest } from '@ticketing/common';
import { Router } from 'express';
import { param } from 'express-validator';
import type { OrdersContext } from '../../context';
import { toTicketResponse } from '../../models/ticket';

export function showTicketRouter({ db }: OrdersContext): Router {
  return Router().get(
    '/api/tickets/:id',
    param('id').isUUID().withMessage('id must be a UUID'),
    validateRequest,
    async (req, res) => {
      const ticket = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', req.params.id as string)
        .executeTakeFirst();
      if (!ticket) throw new NotFoundError('Ticket not found');
      res.json(toTicketResponse(ticket));
    },
  );
}
