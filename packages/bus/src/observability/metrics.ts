import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

/**
 * A registry of the service's own, labelled with its name and holding Node's default metrics, rather than
 * prom-client's global one: tests start several services in one process.
 *
 * @example
 * const metrics = createMetricsRegistry('receipts');
 * const runner = new ListenerRunner({ service: 'receipts', listener, db, bus, logger, metrics });
 * const text = await metrics.metrics(); // what /metrics serves
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

type MetricKind = typeof Counter | typeof Gauge | typeof Histogram;

/**
 * Registers a metric once per registry: several relays or listeners in one process share the series
 * instead of failing on a second registration.
 *
 * @example
 * const sent = sharedMetric(metrics, Counter, { name: 'receipts_sent_total', help: 'Receipts sent' });
 * sent.inc();
 */
export function sharedMetric<K extends MetricKind>(
  registry: Registry,
  Kind: K,
  config: ConstructorParameters<K>[0],
): InstanceType<K> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as InstanceType<K>;
  return new Kind({ ...config, registers: [registry] } as never) as InstanceType<K>;
}
