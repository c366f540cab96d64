import { OpenApiValidator, ServiceUnderTest } from '@ticketing/testing';
import request, { type Response } from 'supertest';
import type { OrdersConfig } from '../src/config';
import type { OrdersDatabase } from '../src/database/schema';
import { ordersOpenApi } from '../src/openapi';
import { ordersService } from '../src/service';

const openApi = new OpenApiValidator(ordersOpenApi);

/** Every response the tests get is checked against the service's OpenAPI document. */
function conformsToOpenApi(response: Response): void {
  const req = (response as unknown as { req: { method: string; path: string } }).req;
  openApi.check(req.method, req.path, response);
}

export type OrdersUnderTest = ServiceUnderTest<OrdersDatabase, OrdersConfig>;

export function startOrders(env: Record<string, string> = {}): Promise<OrdersUnderTest> {
  return ServiceUnderTest.start(ordersService, env);
}

/** supertest against the running service, checking each response against the OpenAPI document. */
export function api(orders: OrdersUnderTest) {
  const agent = request(orders.url);
  return {
    get: (path: string) => agent.get(path).expect(conformsToOpenApi),
    post: (path: string) => agent.post(path).expect(conformsToOpenApi),
    put: (path: string) => agent.put(path).expect(conformsToOpenApi),
    delete: (path: string) => agent.delete(path).expect(conformsToOpenApi),
  };
}

export async function createTicket(
  orders: OrdersUnderTest,
  seller: string,
  details: { title?: string; price?: number; currency?: string } = {},
) {
  const response = await api(orders)
    .post('/api/tickets')
    .set('Authorization', await orders.bearer(seller))
    .send({ title: 'Concert', price: 2500, ...details })
    .expect(201);
  return response.body as { id: string; version: number; price: number; currency: string };
}

export async function placeOrder(orders: OrdersUnderTest, buyer: string, ticketId: string) {
  const response = await api(orders)
    .post('/api/orders')
    .set('Authorization', await orders.bearer(buyer))
    .send({ ticketId })
    .expect(201);
  return response.body as { id: string; version: number; status: string; expiresAt: string };
}
