import { buildOpenApiDocument, IDEMPOTENCY_KEY_HEADER, liveStateOperation } from '@ticketing/common';
import { z } from 'zod';
import { orderResponse } from './models/order';
import { ticketResponse } from './models/ticket';
import { pageQuery } from './routes/list-page';
import { listTicketsQuery } from './routes/tickets/list-tickets';

const ticketDetails = z.object({
  title: z.string().min(1).max(200),
  price: z.number().int().min(1).max(99_999_999).describe('minor units (cents)'),
  currency: z.string().length(3).optional().describe('ISO 4217, "usd" by default'),
});

const idempotencyKey = {
  [IDEMPOTENCY_KEY_HEADER]: {
    description: 'makes a retry of this request return the first answer instead of repeating it',
  },
};
const nextPage = { Link: 'rel="next": the next page, when there is one' };

/** The orders service's HTTP API: tickets and orders. */
export const ordersOpenApi = buildOpenApiDocument({
  title: 'Ticketing: orders',
  version: '1.0.0',
  description: 'The ticket catalog and orders. Prices are integer minor units with an ISO 4217 currency.',
  operations: [
    {
      method: 'post',
      path: '/api/tickets',
      summary: 'Put a ticket on sale',
      authenticated: true,
      headers: idempotencyKey,
      requestBody: ticketDetails,
      responses: {
        201: { description: 'The ticket', body: ticketResponse, headers: { Location: 'the ticket' } },
      },
      errors: {
        400: 'Invalid ticket',
        409: 'Idempotency-Key in use',
        422: 'Idempotency-Key reused with another request',
      },
    },
    {
      method: 'get',
      path: '/api/tickets',
      summary: 'List tickets, newest first; q searches titles (the Link header keeps it)',
      query: listTicketsQuery,
      responses: {
        200: { description: 'A page of tickets', body: z.array(ticketResponse), headers: nextPage },
      },
      errors: { 400: 'Invalid query' },
    },
    {
      method: 'get',
      path: '/api/tickets/{id}',
      summary: 'Show a ticket',
      responses: { 200: { description: 'The ticket', body: ticketResponse } },
      errors: { 400: 'Invalid id', 404: 'No such ticket' },
    },
    {
      method: 'put',
      path: '/api/tickets/{id}',
      summary: 'Change your ticket (not while an order holds it)',
      authenticated: true,
      requestBody: ticketDetails,
      responses: { 200: { description: 'The ticket', body: ticketResponse } },
      errors: {
        400: 'Invalid ticket',
        403: 'Not your ticket',
        404: 'No such ticket',
        409: 'Reserved by an order',
      },
    },
    {
      method: 'post',
      path: '/api/orders',
      summary: 'Reserve a ticket: pay before expiresAt',
      authenticated: true,
      headers: idempotencyKey,
      requestBody: z.object({ ticketId: z.uuid() }),
      responses: {
        201: { description: 'The order', body: orderResponse, headers: { Location: 'the order' } },
      },
      errors: {
        400: 'Invalid ticketId',
        404: 'No such ticket',
        409: 'The ticket is reserved, or the Idempotency-Key is in use',
        422: 'Idempotency-Key reused with another request',
      },
    },
    {
      method: 'get',
      path: '/api/orders',
      summary: 'Your orders, newest first',
      authenticated: true,
      query: pageQuery,
      responses: {
        200: { description: 'A page of orders', body: z.array(orderResponse), headers: nextPage },
      },
      errors: { 400: 'Invalid query' },
    },
    {
      method: 'get',
      path: '/api/orders/{id}',
      summary: 'Your order; poll it for status complete after paying',
      authenticated: true,
      responses: { 200: { description: 'The order', body: orderResponse } },
      errors: { 400: 'Invalid id', 403: 'Not your order', 404: 'No such order' },
    },
    {
      method: 'delete',
      path: '/api/orders/{id}',
      summary: 'Cancel your unpaid order and release its ticket',
      authenticated: true,
      responses: { 200: { description: 'The cancelled order', body: orderResponse } },
      errors: { 400: 'Invalid id', 403: 'Not your order', 404: 'No such order', 409: 'The order is paid' },
    },
    {
      method: 'get',
      path: '/api/orders/openapi.json',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1' } },
    },
    liveStateOperation({
      path: '/api/orders/{id}/events',
      summary: 'Your order, live: what GET /api/orders/{id} answers, again whenever it changes',
      state: orderResponse,
      errors: { 400: 'Invalid id', 403: 'Not your order', 404: 'No such order' },
    }),
  ],
});
