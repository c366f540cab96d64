import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

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
