import { Router } from 'express';
import type { FakeState } from '../fake-state';
import type { ApiPipeline } from './api-pipeline';

/** The slice of Stripe's `/v1` API the fake speaks. */
export function apiRouter(state: FakeState, pipeline: ApiPipeline): Router {
  const { paymentIntents, charges, paymentMethods, refunds, events } = state;
  const router = Router();
  router.get(
    '/payment_intents',
    pipeline.endpoint(({ params }) => paymentIntents.list(params)),
  );
  router.post(
    '/payment_intents',
    pipeline.endpoint(({ params, request }) => paymentIntents.create(params, request)),
  );
  router.get(
    '/payment_intents/:id',
    pipeline.endpoint(({ id, params }) => paymentIntents.retrieve(id, params)),
  );
  router.post(
    '/payment_intents/:id',
    pipeline.endpoint(({ id, params }) => paymentIntents.update(id, params)),
  );
  router.post(
    '/payment_intents/:id/confirm',
    pipeline.endpoint(({ id, params, request }) => paymentIntents.confirm(id, params, request)),
  );
  router.post(
    '/payment_intents/:id/cancel',
    pipeline.endpoint(({ id, params, request }) => paymentIntents.cancel(id, params, request)),
  );
  router.get(
    '/charges',
    pipeline.endpoint(({ params }) => charges.list(params)),
  );
  router.get(
    '/charges/:id',
    pipeline.endpoint(({ id, params }) => charges.retrieve(id, params)),
  );
  router.get(
    '/payment_methods/:id',
    pipeline.endpoint(({ id, params }) => paymentMethods.retrieve(id, params)),
  );
  router.get(
    '/refunds',
    pipeline.endpoint(({ params }) => refunds.list(params)),
  );
  router.post(
    '/refunds',
    pipeline.endpoint(({ params, request }) => refunds.create(params, request)),
  );
  router.get(
    '/refunds/:id',
    pipeline.endpoint(({ id, params }) => refunds.retrieve(id, params)),
  );
  router.get(
    '/events',
    pipeline.endpoint(({ params }) => events.list(params)),
  );
  router.get(
    '/events/:id',
    pipeline.endpoint(({ id, params }) => events.retrieve(id, params)),
  );
  router.use(pipeline.unrecognized());
  return router;
}
