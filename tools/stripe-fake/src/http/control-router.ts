import { Router, type RequestHandler } from 'express';
import type { Params } from '../params';
import { MAX_SEED } from '../seeded-random';
import { StripeError } from '../stripe-error';
import type { StripeFake } from '../stripe-fake';
import type { WebhookSettings } from '../webhooks/webhook-settings';
import { authenticationPage } from './authentication-page';
import { errorResponse, jsonResponse, sendJson } from './json-response';
import { FAILURE_MODES, type FailureOptions } from './request-failures';
import { pathId, readControlParams } from './request-params';

/** The fake's test controls over HTTP, under `/_fake`; they need no API key. See the README. */
export function controlRouter(fake: StripeFake): Router {
  const router = Router();
  router.get(
    '/payment_intents/:id/authenticate',
    authenticationPage((id) => fake.paymentIntent(id)),
  );
  router.post(
    '/payment_intents/:id/authenticate',
    control((params, id) => {
      params.rejectUnknown(['outcome']);
      return fake.authenticate(id, params.requiredOneOf('outcome', ['succeed', 'fail']));
    }),
  );
  router.post(
    '/refunds/settlement',
    control((params) => {
      params.rejectUnknown(['settlement']);
      fake.setRefundSettlement(params.requiredOneOf('settlement', ['immediate', 'pending']));
      return { settlement: fake.refundSettlement };
    }),
  );
  router.post(
    '/refunds/:id/settle',
    control((params, id) => {
      params.rejectUnknown(['outcome']);
      return fake.settleRefund(id, params.requiredOneOf('outcome', ['succeed', 'fail']));
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
  router.get(
    '/failures',
    control(() => fake.failures),
  );
  router.post(
    '/failures',
    control((params) => {
      fake.setFailures(readFailureOptions(params));
      return fake.failures;
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

/** `mode` may be left out only to turn failures off, as `{ "rate": 0 }` does. */
function readFailureOptions(params: Params): FailureOptions {
  params.rejectUnknown(['mode', 'rate', 'next', 'seed']);
  const rate = params.decimal('rate', { min: 0, max: 1 }) ?? 0;
  const next = params.integer('next', { min: 0 }) ?? 0;
  const seed = params.integer('seed', { min: 0, max: MAX_SEED });
  const failsNothing = rate === 0 && next === 0;
  const mode = params.oneOf('mode', ['none', ...FAILURE_MODES]) ?? (failsNothing ? 'none' : undefined);
  if (mode === undefined) throw StripeError.parameterMissing('mode');
  if (mode !== 'none') return { mode, rate, next, seed };
  if (!failsNothing) throw params.invalid('mode', 'Mode none fails nothing: leave out rate and next.');
  return { mode };
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
