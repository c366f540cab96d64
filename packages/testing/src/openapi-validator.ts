import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '@ticketing/service';

/** The parts of a response the validator checks: what supertest's response and fetch's both give. */
export interface CheckedResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

/**
 * Checks real responses against a service's OpenAPI document: the status must be documented for the
 * operation, and the body must match its schema.
 *
 * @example
 * const validator = new OpenApiValidator(ordersApi.document);
 * const response = await request(url).get(`/api/tickets/${id}`);
 * validator.check('GET', `/api/tickets/${id}`, response);
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: Array<{ pattern: RegExp; template: string }>;

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // Literal paths first, so that /api/orders/openapi.json is not taken for /api/orders/{id}.
    this.routes = Object.keys(document.paths)
      .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
      .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`) }));
  }

  /** Throws, naming the operation and the mismatch, when the response is not what the document promises. */
  check(method: string, url: string, response: CheckedResponse): void {
    const path = new URL(url, 'http://localhost').pathname;
    const route = this.routes.find(({ pattern }) => pattern.test(path));
    const operation =
      route && (this.document.paths[route.template] as Record<string, Operation>)[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    const documented = operation.responses[String(response.status)];
    if (!documented) {
      throw new Error(
        `${method} ${route.template} answered ${response.status}, which the document does not list`,
      );
    }
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return;
    if (!this.ajv.validate(schema, response.body)) {
      throw new Error(
        `${method} ${route.template} ${response.status} body does not match the document: ${this.ajv.errorsText()}\n` +
          JSON.stringify(response.body).slice(0, 1000),
      );
    }
  }
}
