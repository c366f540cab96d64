import { setTimeout as delay } from 'node:timers/promises';
import type { Request, RequestHandler, Response } from 'express';
import { expandResponse, readExpandPaths, type ObjectLookup } from '../expand';
import type { FormObject } from '../form-body';
import { Params } from '../params';
import type { EventRequest } from '../resources/stripe-event';
import type { ApiKeyPolicy } from './api-keys';
import { requestFingerprint, type IdempotencyKeys } from './idempotency-keys';
import { errorResponse, jsonResponse, sendJson, type JsonResponse } from './json-response';
import { pathId, readApiParams, requestPath } from './request-params';
import { unrecognizedUrl } from './unrecognized-url';

/** What an endpoint gets: the `:id` of its path, its parameters, and the request to name in events. */
export interface ApiCall {
  id: string;
  params: Params;
  request: EventRequest;
}

/** Returns the Stripe object to answer with, or throws a StripeError. */
export type ApiHandler = (call: ApiCall) => object;

export interface ApiPipelineDependencies {
  apiKeys: ApiKeyPolicy;
  idempotencyKeys: IdempotencyKeys;
  lookup: ObjectLookup;
  /** Simulated Stripe latency, read on each request so that tests can change it. */
  latencyMs: () => number;
}

/** What every `/v1` request goes through: authentication, parameters, idempotency, latency and expansion. */
export class ApiPipeline {
  constructor(private readonly deps: ApiPipelineDependencies) {}

  endpoint(handler: ApiHandler): RequestHandler {
    return async (req, res) => {
      try {
        const apiKey = this.deps.apiKeys.authenticate(req.get('Authorization'));
        const form = readApiParams(req);
        const idempotencyKey = req.method === 'POST' ? req.get('Idempotency-Key') : undefined;
        if (idempotencyKey === undefined) {
          sendJson(res, await this.run(handler, req, res, form, null));
          return;
        }
        res.set('Idempotency-Key', idempotencyKey);
        const fingerprint = requestFingerprint(req.method, requestPath(req), form);
        const started = this.deps.idempotencyKeys.begin(apiKey, idempotencyKey, fingerprint);
        if ('replay' in started) {
          res.set({ 'Idempotent-Replayed': 'true', 'Original-Request': started.replay.requestId });
          sendJson(res, started.replay);
          return;
        }
        const response = await this.run(handler, req, res, form, idempotencyKey);
        // As in Stripe, a server error is not kept: the client may retry it with the same key.
        if (response.status >= 500) started.claim.abandon();
        else started.claim.complete({ ...response, requestId: requestIdOf(res) });
        sendJson(res, response);
      } catch (error) {
        sendJson(res, errorResponse(error));
      }
    };
  }

  /** Stripe checks the key before it says that a URL does not exist. */
  unrecognized(): RequestHandler {
    return (req, res) => {
      try {
        this.deps.apiKeys.authenticate(req.get('Authorization'));
        throw unrecognizedUrl(req);
      } catch (error) {
        sendJson(res, errorResponse(error));
      }
    };
  }

  private async run(
    handler: ApiHandler,
    req: Request,
    res: Response,
    form: FormObject,
    idempotencyKey: string | null,
  ): Promise<JsonResponse> {
    const latencyMs = this.deps.latencyMs();
    if (latencyMs > 0) await delay(latencyMs);
    try {
      const params = new Params(form);
      const expand = readExpandPaths(params);
      const request = { id: requestIdOf(res), idempotency_key: idempotencyKey };
      const result = handler({ id: pathId(req), params, request });
      return jsonResponse(200, expandResponse(result, expand, this.deps.lookup));
    } catch (error) {
      return errorResponse(error);
    }
  }
}

/** Set on every response by the app, before any route runs. */
function requestIdOf(res: Response): string {
  return String(res.get('Request-Id'));
}
