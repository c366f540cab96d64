import { Router, type RequestHandler } from 'express';
import type { Params } from '../params';
import type { StripeFake } from '../stripe-fake';
import type { WebhookSettings } from '../webhooks/webhook-settings';
import { errorResponse, jsonResponse, sendJson } from './json-response';
import { pathId, readControlParams } from './request-params';

/** The fake's test controls over HTTP, under `/_fake`; they need no API key. See the README. */
export function controlRouter(fake: StripeFake): Router {
  const router = Router();
  router.post(
    '/payment_intents/:id/authenticate',
    control((params, id) => {
      params.rejectUnknown(['outcome']);
      return fake.authenticate(id, params.requiredOneOf('outcome', ['succeed', 'fail']));
    }),
  );
  router.get(
    '/ledger',
    control(() => fake.ledger()),
  );
  router.post(
    '/reset',
    control(() => {
      fake.reset();
      return { reset: true };
    }),
  );
  router.get(
    '/webhooks',
    control(() => webhookSettingsJson(fake.webhooks.settings())),
  );
  router.post(
    '/webhooks',
    control((params) => webhookSettingsJson(fake.webhooks.configure(readWebhookChanges(params)))),
  );
  router.post(
    '/webhooks/pause',
    control(() => {
      fake.webhooks.pause();
      return { paused: true };
    }),
  );
  router.post(
    '/webhooks/flush',
    control(() => ({ paused: false, released: fake.webhooks.flush() })),
  );
  router.get(
    '/webhooks/deliveries',
    control(() => ({ data: fake.webhooks.deliveries() })),
  );
  router.post(
    '/latency',
    control((params) => {
      params.rejectUnknown(['latency_ms']);
      fake.setLatency(params.requiredInteger('latency_ms', { min: 0 }));
      return { latency_ms: fake.latencyMs };
    }),
  );
  return router;
}

function control(action: (params: Params, id: string) => unknown): RequestHandler {
  return (req, res) => {
    try {
      sendJson(res, jsonResponse(200, action(readControlParams(req), pathId(req))));
    } catch (error) {
      sendJson(res, errorResponse(error));
    }
  };
}

function readWebhookChanges(params: Params): Partial<WebhookSettings> {
  params.rejectUnknown(['url', 'secret', 'duplicate', 'out_of_order', 'max_attempts', 'retry_delay_ms']);
  return {
    // An empty or null url turns delivery off.
    url: params.has('url') ? (params.string('url') ?? null) : undefined,
    secret: params.string('secret'),
    duplicate: params.boolean('duplicate'),
    outOfOrder: params.boolean('out_of_order'),
    maxAttempts: params.integer('max_attempts', { min: 1 }),
    retryDelayMs: params.integer('retry_delay_ms', { min: 0 }),
  };
}

function webhookSettingsJson(settings: WebhookSettings): object {
  return {
    url: settings.url,
    secret: settings.secret,
    duplicate: settings.duplicate,
    out_of_order: settings.outOfOrder,
    max_attempts: settings.maxAttempts,
    retry_delay_ms: settings.retryDelayMs,
  };
}
