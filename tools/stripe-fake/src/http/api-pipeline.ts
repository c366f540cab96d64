import { setTimeout as delay } from 'node:timers/promises';
import type { Request, RequestHandler, Response } from 'express';
import { expandResponse, readExpandPaths, type ObjectLookup } from '../expand';
import type { FormObject } from '../form-body';
import { Params } from '../params';
import type { EventRequest } from '../resources/stripe-event';
import { ParameterError } from '../stripe-error';
import type { ApiKeyPolicy } from './api-keys';
import { requestFingerprint, type IdempotencyKeys } from './idempotency-keys';
import { errorResponse, jsonResponse, sendJson, type JsonResponse } from './json-response';
import { pathId, readApiParams, requestPath } from './request-params';
import { injectedServerError, type RequestFailures } from './request-failures';
import { unrecognizedUrl } from './unrecognized-url';

/** What an endpoint gets: the `:id` of its path, its parameters, and the request to name in events. */
export interface ApiCall {
  id: string;
  params: Params;
  request: EventRequest;
}

/** Returns the Stripe object to answer with, or throws a StripeError. */
export type ApiHandler = (call: ApiCall) => object;

/** What running an endpoint answered, and whether Stripe would keep it for the request's idempotency key. */
interface RunOutcome {
  response: JsonResponse;
  /** Refused for its parameters before the endpoint began: Stripe saves no idempotent result for it. */
  parametersRefused: boolean;
}

export interface ApiPipelineDependencies {
  apiKeys: ApiKeyPolicy;
  idempotencyKeys: IdempotencyKeys;
  lookup: ObjectLookup;
  /** Simulated Stripe latency, read on each request so that tests can change it. */
  latencyMs: () => number;
  /** Read where each failure would strike: `error` instead of running an endpoint, `drop` instead of answering. */
  failures: RequestFailures;
}

/**
 * What every `/v1` request goes through: authentication, parameters, idempotency, latency, injected failures
 * and expansion.
 */
export class ApiPipeline {
  constructor(private readonly deps: ApiPipelineDependencies) {}

  endpoint(handler: ApiHandler): RequestHandler {
    return async (req, res) => {
      this.answer(req, res, await this.respond(handler, req, res).catch(errorResponse));
    };
  }

  /** Stripe checks the key before it says that a URL does not exist. */
  unrecognized(): RequestHandler {
    return (req, res) => {
      try {
        this.deps.apiKeys.authenticate(req.get('Authorization'));
        throw unrecognizedUrl(req);
      } catch (error) {
        this.answer(req, res, errorResponse(error));
      }
    };
  }

  private async respond(handler: ApiHandler, req: Request, res: Response): Promise<JsonResponse> {
    const apiKey = this.deps.apiKeys.authenticate(req.get('Authorization'));
    const form = readApiParams(req);
    const idempotencyKey = req.method === 'POST' ? req.get('Idempotency-Key') : undefined;
    if (idempotencyKey === undefined) return (await this.run(handler, req, res, form, null)).response;
    res.set('Idempotency-Key', idempotencyKey);
    const fingerprint = requestFingerprint(req.method, requestPath(req), form);
    const started = this.deps.idempotencyKeys.begin(apiKey, idempotencyKey, fingerprint);
    if ('replay' in started) {
      res.set({ 'Idempotent-Replayed': 'true', 'Original-Request': started.replay.requestId });
      return started.replay;
    }
    const { response, parametersRefused } = await this.run(handler, req, res, form, idempotencyKey);
    // Stripe keeps whatever a request that got to run answered, 500s included: a retry gets the same answer.
    if (parametersRefused) started.claim.release();
    else started.claim.complete({ ...response, requestId: requestIdOf(res) });
    return response;
  }

  private async run(
    handler: ApiHandler,
    req: Request,
    res: Response,
    form: FormObject,
    idempotencyKey: string | null,
  ): Promise<RunOutcome> {
    const latencyMs = this.deps.latencyMs();
    if (latencyMs > 0) await delay(latencyMs);
    if (this.deps.failures.strikes('error')) {
      return { response: errorResponse(injectedServerError()), parametersRefused: false };
    }
    try {
      const params = new Params(form);
      const expand = readExpandPaths(params);
      const request = { id: requestIdOf(res), idempotency_key: idempotencyKey };
      const result = handler({ id: pathId(req), params, request });
      return {
        response: jsonResponse(200, expandResponse(result, expand, this.deps.lookup)),
        parametersRefused: false,
      };
    } catch (error) {
      return { response: errorResponse(error), parametersRefused: error instanceof ParameterError };
    }
  }

  /**
   * Sends the answer, unless a `drop` failure strikes: then the connection is cut without one, as when Stripe
   * did the work but its answer was lost on the way. The SDK sees a reset connection (`StripeConnectionError`).
   */
  private answer(req: Request, res: Response, response: JsonResponse): void {
    if (this.deps.failures.strikes('drop')) req.socket.destroy();
    else sendJson(res, response);
  }
}

/** Set on every response by the app, before any route runs. */
function requestIdOf(res: Response): string {
  return String(res.get('Request-Id'));
}
