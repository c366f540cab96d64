import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry } from '@ticketing/bus';
import { authenticatedUser, createHttpApp, requireAuth } from '@ticketing/service';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { clientApp } from '../../client/server/src/client-app';
import { clientSettingsFrom } from '../../client/server/src/client-settings';
import { expirationConfig } from '../../expiration/src/config';
import { ordersConfig } from '../../orders/src/config';
import { ordersOpenApi } from '../../orders/src/openapi';
import { paymentsConfig } from '../../payments/src/config';
import { paymentsOpenApi } from '../../payments/src/openapi';
import {
  byKind,
  CLIENT,
  DEPLOYMENTS,
  dockerfileCmd,
  dockerfileInstructions,
  find,
  findKubectl,
  K8S,
  RENDERED_DIRS,
  render,
  ROOT,
  secretTemplates,
  selects,
  SERVICES,
  SERVICES_DOCKERFILE,
  type Container,
  type DeploymentName,
  type IngressObject,
  type K8sObject,
  type Probe,
  type ServiceName,
  type ServiceObject,
  type Workload,
} from './manifests';

const CONFIG_SCHEMAS: Record<ServiceName, z.ZodType> = {
  orders: ordersConfig,
  payments: paymentsConfig,
  expiration: expirationConfig,
};

/** The OpenAPI documents of the services that serve an API through the ingress. */
const OPENAPI_PATHS: Partial<Record<ServiceName, string[]>> = {
  orders: Object.keys(ordersOpenApi.paths),
  payments: Object.keys(paymentsOpenApi.paths),
};

/** The variables a service cannot start without: those of its zod schema with no default, plus JWT_KEY. */
function requiredVariables(schema: z.ZodType): string[] {
  const result = schema.safeParse({});
  const missing = result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
  // JWT_KEY or JWKS_URL is checked by a refinement, which zod skips while fields are missing.
  return [...new Set([...missing, 'JWT_KEY'])].sort();
}

type ConfigMap = K8sObject & { data?: Record<string, string> };
type Secret = K8sObject & { stringData?: Record<string, string>; data?: Record<string, string> };

function secretValue(name: string, key: string): string | undefined {
  const secret = secretTemplates().find((s) => s.metadata.name === name) as Secret | undefined;
  return secret?.stringData?.[key] ?? secret?.data?.[key];
}

/**
 * The environment a container gets, as the kubelet would compose it: envFrom ConfigMaps of the render,
 * then env in order with $(VAR) expanded; Secrets take their values from the templates in infra/k8s/secrets.
 */
function containerEnvironment(objects: K8sObject[], container: Container) {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = byKind<ConfigMap>(objects, 'ConfigMap').find(
        (c) => c.metadata.name === source.configMapRef?.name,
      );
      if (!configMap) problems.push(`envFrom ConfigMap ${source.configMapRef.name} is not rendered`);
      Object.assign(env, configMap?.data ?? {});
    } else {
      problems.push(`envFrom other than a ConfigMap (${JSON.stringify(source)}): its keys cannot be checked`);
    }
  }
  for (const variable of container.env ?? []) {
    const { secretKeyRef, configMapKeyRef, fieldRef } = variable.valueFrom ?? {};
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (whole, name: string) => {
          if (env[name] === undefined)
            problems.push(`${variable.name} refers to $(${name}), defined before it`);
          return env[name] ?? whole;
        },
      );
    } else if (secretKeyRef) {
      const value = secretValue(secretKeyRef.name, secretKeyRef.key);
      // An optional key that no template shows: the kubelet leaves the variable unset.
      if (value === undefined && secretKeyRef.optional) continue;
      if (value === undefined) {
        problems.push(
          `${variable.name}: no template for Secret ${secretKeyRef.name} key ${secretKeyRef.key}`,
        );
      } else env[variable.name] = value;
    } else if (configMapKeyRef) {
      const configMap = find<ConfigMap>(objects, 'ConfigMap', configMapKeyRef.name);
      const value = configMap.data?.[configMapKeyRef.key];
      if (value === undefined) problems.push(`${variable.name}: no key ${configMapKeyRef.key}`);
      else env[variable.name] = value;
    } else if (fieldRef) {
      env[variable.name] = `field:${fieldRef.fieldPath}`;
    } else {
      problems.push(`${variable.name} has neither value nor valueFrom`);
    }
  }
  return { env, problems };
}

/** The workload's own container: its only one, or, beside sidecars (a metrics exporter), the one named after it. */
function onlyContainer(workload: Workload): Container {
  const containers = workload.spec.template.spec.containers;
  if (containers.length === 1) return containers[0] as Container;
  const own = containers.find((container) => container.name === workload.metadata.name);
  expect([workload.metadata.name, own?.name]).toEqual([workload.metadata.name, workload.metadata.name]);
  return own as Container;
}

/** An image's repository name without registry, tag or digest: `registry.example.com/ticketing/orders@sha256:...` -> `ticketing/orders`. */
function imageName(image: string): string {
  return image
    .replace(/[@:][^/]*$/, '')
    .replace(/^(?:[^/]+[.:][^/]*\/|localhost\/)?(?:.*\/)?(ticketing\/[^/]+)$/, '$1');
}

/** The one host of the Ingresses: ticketing.local in the base and development; an overlay may set its own. */
function ingressHost(objects: K8sObject[]): string | undefined {
  return byKind<IngressObject>(objects, 'Ingress')[0]?.spec.rules[0]?.host;
}

function containerPort(container: Container, port: string | number): number | undefined {
  if (typeof port === 'number')
    return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function probes(container: Container): Array<[string, Probe]> {
  return (['startupProbe', 'livenessProbe', 'readinessProbe'] as const)
    .filter((kind) => container[kind])
    .map((kind) => [kind, container[kind] as Probe]);
}

/** The Deployments, StatefulSets, ... whose pods a Service selects. */
function selectedWorkloads(objects: K8sObject[], service: ServiceObject): Workload[] {
  return [...byKind<Workload>(objects, 'Deployment'), ...byKind<Workload>(objects, 'StatefulSet')].filter(
    (workload) => selects(service.spec.selector, workload.spec.template.metadata.labels),
  );
}

/** The container port a Service port forwards to, in the one workload it selects. */
function serviceTarget(objects: K8sObject[], serviceName: string, port: { name?: string; number?: number }) {
  const service = find<ServiceObject>(objects, 'Service', serviceName);
  const servicePort = service.spec.ports.find((p) =>
    port.name !== undefined ? p.name === port.name : p.port === port.number,
  );
  if (!servicePort) throw new Error(`Service ${serviceName} has no port ${JSON.stringify(port)}`);
  const workloads = selectedWorkloads(objects, service);
  if (workloads.length !== 1) {
    throw new Error(`Service ${serviceName} selects ${workloads.length} workloads, not one`);
  }
  const workload = workloads[0] as Workload;
  const container = onlyContainer(workload);
  const target = containerPort(container, servicePort.targetPort ?? servicePort.port);
  if (target === undefined) {
    throw new Error(
      `Service ${serviceName} targets ${servicePort.targetPort}, not a port of ${workload.metadata.name}`,
    );
  }
  return { workload, container, containerPort: target };
}

/** The exec-form sleep of a preStop hook, in seconds (0 without one). */
function preStopSleepSeconds(container: Container): number {
  const command = container.lifecycle?.preStop?.exec?.command;
  if (!command) return 0;
  expect(command[0]).toBe('sleep');
  return Number(command[1]);
}

/** The nats.conf a NATS StatefulSet mounts, from the rendered ConfigMap. */
function natsConf(objects: K8sObject[], nats: Workload): string {
  const volumes = (nats.spec.template.spec as { volumes?: Array<{ configMap?: { name: string } }> }).volumes;
  const name = volumes?.find((volume) => volume.configMap)?.configMap?.name;
  if (!name) throw new Error('the NATS StatefulSet mounts no ConfigMap');
  const conf = find<ConfigMap>(objects, 'ConfigMap', name).data?.['nats.conf'];
  if (!conf) throw new Error(`ConfigMap ${name} has no nats.conf`);
  return conf;
}

/** The variables of the development-only sign-in, which signs tokens with the services' key. */
const DEVELOPMENT_SIGN_IN_VARIABLES = ['DEVELOPMENT_SIGN_IN', 'JWT_KEY'];

/** The streams of Server-Sent Events the services serve (besides any documented path ending in /events). */
const EVENT_STREAMS: Array<[path: string, service: ServiceName]> = [
  ['/api/orders/{id}/events', 'orders'],
  ['/api/payments/orders/{orderId}/events', 'payments'],
];

const STREAMING_ANNOTATIONS = {
  buffering: 'nginx.ingress.kubernetes.io/proxy-buffering',
  readTimeout: 'nginx.ingress.kubernetes.io/proxy-read-timeout',
  sendTimeout: 'nginx.ingress.kubernetes.io/proxy-send-timeout',
};

interface IngressRoute {
  prefix: string;
  /** The Deployment the path reaches through its Service. */
  target: string;
  ingress: IngressObject;
}

/** Every path of every Ingress, with the Deployment it reaches; checks class, host and path type. */
function ingressRoutes(objects: K8sObject[]): IngressRoute[] {
  const routes: IngressRoute[] = [];
  for (const ingress of byKind<IngressObject>(objects, 'Ingress')) {
    expect([ingress.metadata.name, ingress.spec.ingressClassName]).toEqual([ingress.metadata.name, 'nginx']);
    for (const rule of ingress.spec.rules) {
      expect(rule.host).toBe(ingressHost(objects));
      for (const path of rule.http.paths) {
        expect([path.path, path.pathType]).toEqual([path.path, 'Prefix']);
        const { workload } = serviceTarget(objects, path.backend.service.name, path.backend.service.port);
        expect(workload.kind).toBe('Deployment');
        routes.push({ prefix: path.path, target: workload.metadata.name, ingress });
      }
    }
  }
  return routes;
}

/** The route ingress-nginx takes for a request path: the longest matching Prefix, by whole path elements. */
function routeOf(routes: IngressRoute[], requestPath: string): IngressRoute | undefined {
  return routes
    .filter(
      ({ prefix }) =>
        prefix === '/' || requestPath === prefix || requestPath.startsWith(`${prefix.replace(/\/$/, '')}/`),
    )
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

/** A concrete request path for an OpenAPI path template. */
function concretePath(template: string): string {
  return template.replace(/\{[^}]+\}/g, '0b7e4f4e-3c1a-4d5e-9f00-5a1c2b3d4e5f');
}

let clientDir: string | undefined;

/** A stand-in for `vite build`'s output: the client's server refuses to start without an index.html. */
function builtClient(): string {
  if (!clientDir) {
    clientDir = mkdtempSync(join(tmpdir(), 'k8s-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>ticketing</title>');
  }
  return clientDir;
}

afterAll(() => {
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

it('kubectl is found on PATH, or the failure names the Debian package', () => {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    expect(() => findKubectl()).toThrow(/kubernetes-client/);
  } finally {
    process.env.PATH = saved;
  }
  expect(findKubectl()).toMatch(/kubectl$/);
});

it('derives the required variables from the services’ config schemas', () => {
  expect(requiredVariables(ordersConfig)).toEqual(['DATABASE_URL', 'JWT_KEY', 'NATS_URL']);
  expect(requiredVariables(paymentsConfig)).toEqual(
    expect.arrayContaining([
      'DATABASE_URL',
      'NATS_URL',
      'JWT_KEY',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]),
  );
});

describe.each(RENDERED_DIRS)('infra/k8s/%s', (dir) => {
  const objects = () => render(dir);

  it('has exactly one Deployment per service and for the client, running its image, and nothing else', () => {
    const deployments = byKind<Workload>(objects(), 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...DEPLOYMENTS].sort());
    for (const deployment of deployments) {
      expect(imageName(onlyContainer(deployment).image)).toBe(`ticketing/${deployment.metadata.name}`);
    }
  });

  it.each(SERVICES)('gives %s every variable its config requires, and a config that parses', (service) => {
    const container = onlyContainer(find<Workload>(objects(), 'Deployment', service));
    const { env, problems } = containerEnvironment(objects(), container);
    expect(problems).toEqual([]);
    const missing = requiredVariables(CONFIG_SCHEMAS[service]).filter((name) => env[name] === undefined);
    expect(missing).toEqual([]);
    const parsed = CONFIG_SCHEMAS[service].safeParse(env);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(SERVICES)('serves %s on the container port its PORT sets, probes included', (service) => {
    const objs = objects();
    const container = onlyContainer(find<Workload>(objs, 'Deployment', service));
    const config = CONFIG_SCHEMAS[service].parse(containerEnvironment(objs, container).env) as {
      PORT: number;
    };
    expect(container.ports?.map((p) => p.containerPort)).toEqual([config.PORT]);
    for (const [kind, probe] of probes(container)) {
      expect([kind, probe.httpGet && containerPort(container, probe.httpGet.port)]).toEqual([
        kind,
        config.PORT,
      ]);
    }
    const servicePort = find<ServiceObject>(objs, 'Service', service).spec.ports[0];
    expect(serviceTarget(objs, service, { number: servicePort?.port }).containerPort).toBe(config.PORT);
  });

  it.each(SERVICES)(
    'probes %s on paths it serves: readiness /readyz, liveness a path that is not',
    async (service) => {
      const container = onlyContainer(find<Workload>(objects(), 'Deployment', service));
      const kinds = probes(container).map(([kind]) => kind);
      expect(kinds).toEqual(expect.arrayContaining(['livenessProbe', 'readinessProbe']));
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      // A dependency outage makes a pod unready, never restarts it.
      expect(container.livenessProbe?.httpGet?.path).not.toBe('/readyz');
      // Every service's probes are served by @ticketing/service's createHttpApp, before any of the service's routes.
      const app = createHttpApp({
        logger: createLogger('k8s-test', 'silent'),
        metrics: createMetricsRegistry('k8s_test'),
        readinessChecks: { database: async () => undefined },
        authentication: { jwtKey: 'a-key-of-at-least-sixteen-characters' },
        routes: () => undefined,
      });
      for (const [kind, probe] of probes(container)) {
        const path = probe.httpGet?.path as string;
        const response = await request(app).get(path);
        expect([kind, path, response.status]).toEqual([kind, path, 200]);
      }
    },
  );

  it.each(SERVICES)('lets %s finish its graceful shutdown before the kill', (service) => {
    const objs = objects();
    const deployment = find<Workload>(objs, 'Deployment', service);
    const container = onlyContainer(deployment);
    const config = CONFIG_SCHEMAS[service].parse(containerEnvironment(objs, container).env) as {
      SHUTDOWN_TIMEOUT_MS: number;
    };
    const needed = preStopSleepSeconds(container) + config.SHUTDOWN_TIMEOUT_MS / 1000;
    expect(preStopSleepSeconds(container)).toBeGreaterThan(0);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(needed);
  });

  it('serves the client on the container port its PORT sets, probes included', () => {
    const objs = objects();
    const container = onlyContainer(find<Workload>(objs, 'Deployment', CLIENT));
    const { env, problems } = containerEnvironment(objs, container);
    expect(problems).toEqual([]);
    // The client's server listens on PORT, 3000 without it.
    const port = Number(env.PORT ?? 3000);
    expect(container.ports?.map((p) => [p.name, p.containerPort])).toEqual([['http', port]]);
    const kinds = probes(container).map(([kind]) => kind);
    expect(kinds).toEqual(expect.arrayContaining(['livenessProbe', 'readinessProbe']));
    for (const [kind, probe] of probes(container)) {
      expect([kind, probe.httpGet && containerPort(container, probe.httpGet.port)]).toEqual([kind, port]);
    }
    const servicePort = find<ServiceObject>(objs, 'Service', CLIENT).spec.ports[0];
    expect(servicePort?.name).toBe('http');
    expect(serviceTarget(objs, CLIENT, { name: 'http' }).containerPort).toBe(port);
  });

  it('gives the client no database, no NATS, and no secret but the Stripe publishable key (and dev JWT_KEY)', () => {
    const objs = objects();
    const container = onlyContainer(find<Workload>(objs, 'Deployment', CLIENT));
    const { env } = containerEnvironment(objs, container);
    expect(Object.keys(env).filter((name) => /^(DATABASE_|NATS_)/.test(name))).toEqual([]);
    const secretRefs = (container.env ?? []).flatMap((variable) => {
      const ref = variable.valueFrom?.secretKeyRef;
      return ref ? [{ variable: variable.name, ...ref }] : [];
    });
    const allowed = [
      // Optional in test mode, where the client has Stripe's test payment methods without it; required in
      // production, where those do not exist and no card could be taken.
      {
        variable: 'STRIPE_PUBLISHABLE_KEY',
        name: 'stripe',
        key: 'STRIPE_PUBLISHABLE_KEY',
        optional: dir !== 'overlays/production',
      },
      { variable: 'JWT_KEY', name: 'ticketing-jwt', key: 'JWT_KEY' },
    ];
    for (const ref of secretRefs) expect(allowed).toContainEqual(ref);
    expect(secretRefs.map((ref) => ref.variable)).toContain('STRIPE_PUBLISHABLE_KEY');
    expect(env.STRIPE_PUBLISHABLE_KEY).toMatch(/^pk_(test|live)_/);
  });

  it('starts the client’s server with that environment: probes answer, /config.json says how to sign in', async () => {
    const objs = objects();
    const container = onlyContainer(find<Workload>(objs, 'Deployment', CLIENT));
    const { env } = containerEnvironment(objs, container);
    const development = dir === 'overlays/development';
    // What client/server/src/main.ts does with its environment.
    const settings = clientSettingsFrom(env);
    const app = clientApp({
      staticDir: builtClient(),
      settings,
      jwtKey: settings.signIn === 'development' ? env.JWT_KEY : undefined,
    });
    for (const [kind, probe] of probes(container)) {
      const path = probe.httpGet?.path as string;
      const response = await request(app).get(path);
      expect([kind, path, response.status]).toEqual([kind, path, 200]);
    }
    const config = await request(app).get('/config.json');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      signIn: development ? 'development' : 'token',
      stripePublishableKey: env.STRIPE_PUBLISHABLE_KEY ?? null,
    });

    const signIn = await request(app).post('/api/dev/sign-in').send({ name: 'alice', admin: false });
    if (!development) {
      expect(signIn.status).toBe(404);
      return;
    }
    // In development the token it signs is one the services accept: signed with their JWT_KEY.
    expect(signIn.status).toBe(200);
    const orders = onlyContainer(find<Workload>(objs, 'Deployment', 'orders'));
    const ordersEnv = containerEnvironment(objs, orders).env;
    expect(ordersEnv.JWKS_URL).toBeUndefined();
    const service = createHttpApp({
      logger: createLogger('k8s-test', 'silent'),
      metrics: createMetricsRegistry('k8s_test_client'),
      readinessChecks: {},
      authentication: { jwtKey: ordersEnv.JWT_KEY },
      routes: (express) =>
        express.get('/whoami', requireAuth, (req, res) => {
          res.json(authenticatedUser(req));
        }),
    });
    const whoami = await request(service)
      .get('/whoami')
      .set('Authorization', `Bearer ${(signIn.body as { token: string }).token}`);
    expect([whoami.status, (whoami.body as { id?: string }).id]).toEqual([200, 'alice']);
  });

  it('lets the client finish its requests before the kill', () => {
    const deployment = find<Workload>(objects(), 'Deployment', CLIENT);
    const container = onlyContainer(deployment);
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    expect(preStopSleepSeconds(container)).toBeGreaterThan(0);
    // The server closes on SIGTERM; its requests (files, /config.json) take well under 5 s.
    expect(grace).toBeGreaterThanOrEqual(preStopSleepSeconds(container) + 5);
  });

  it('locks down every Deployment’s container: read-only root, no privilege escalation, no capabilities', () => {
    for (const deployment of byKind<Workload>(objects(), 'Deployment')) {
      const pod = deployment.spec.template.spec as { automountServiceAccountToken?: boolean };
      expect([deployment.metadata.name, pod.automountServiceAccountToken]).toEqual([
        deployment.metadata.name,
        false,
      ]);
      for (const container of deployment.spec.template.spec.containers) {
        const security = (container as { securityContext?: Record<string, unknown> }).securityContext;
        expect([container.name, security]).toEqual([
          container.name,
          expect.objectContaining({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          }),
        ]);
      }
    }
  });

  it.each(SERVICES)('points %s at its own PostgreSQL, with the password of that database', (service) => {
    const objs = objects();
    const container = onlyContainer(find<Workload>(objs, 'Deployment', service));
    const url = new URL(containerEnvironment(objs, container).env.DATABASE_URL as string);
    expect(url.hostname).toBe(`${service}-postgres`);
    const { workload: postgres, containerPort: port } = serviceTarget(objs, url.hostname, {
      number: Number(url.port || 5432),
    });
    expect(postgres.kind).toBe('StatefulSet');
    expect(port).toBe(5432);
    const postgresEnv = onlyContainer(postgres).env ?? [];
    const value = (name: string) => postgresEnv.find((v) => v.name === name);
    expect(url.pathname).toBe(`/${value('POSTGRES_DB')?.value}`);
    expect(url.username).toBe(value('POSTGRES_USER')?.value);
    const passwordRef = container.env?.find((v) => v.name === 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef;
    expect(passwordRef).toBeDefined();
    expect(value('POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef).toEqual(passwordRef);
    expect(url.password).toBe(secretValue(passwordRef?.name ?? '', passwordRef?.key ?? ''));
  });

  it('gives every PostgreSQL a volume and pg_isready probes', () => {
    for (const service of SERVICES) {
      const postgres = find<Workload>(objects(), 'StatefulSet', `${service}-postgres`);
      const spec = postgres.spec as Workload['spec'] & {
        volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
      };
      const container = onlyContainer(postgres) as Container & { volumeMounts?: Array<{ name: string }> };
      expect(spec.volumeClaimTemplates?.map((t) => t.metadata.name)).toEqual(
        container.volumeMounts?.map((m) => m.name),
      );
      expect(container.readinessProbe?.exec?.command[0]).toBe('pg_isready');
      expect(container.livenessProbe?.exec?.command[0]).toBe('pg_isready');
    }
  });

  it('points every service at the NATS StatefulSet, with no more stream replicas than servers', () => {
    const objs = objects();
    const nats = find<Workload>(objs, 'StatefulSet', 'nats');
    const natsContainer = onlyContainer(nats);
    // The base's image; an overlay may pin the same repository elsewhere (a mirror, by digest).
    if (dir === 'overlays/production') expect(natsContainer.image).toMatch(/(^|\/)nats[:@]/);
    else expect(natsContainer.image).toMatch(/^nats:2\.10-alpine$/);
    expect(natsContainer.livenessProbe?.httpGet?.path).toBe('/healthz?js-enabled-only=true');
    expect(containerPort(natsContainer, natsContainer.livenessProbe?.httpGet?.port ?? '')).toBe(8222);
    const conf = natsConf(objs, nats);
    expect(conf).toMatch(/^\s*jetstream\s*\{[^}]*store_dir:\s*\/data/m);
    expect(conf).toMatch(/^\s*http:\s*\S*:8222\s*$/m);
    for (const service of SERVICES) {
      const container = onlyContainer(find<Workload>(objs, 'Deployment', service));
      const config = CONFIG_SCHEMAS[service].parse(containerEnvironment(objs, container).env) as {
        NATS_URL: string;
        NATS_STREAM_REPLICAS: number;
      };
      for (const url of config.NATS_URL.split(',').map((u) => new URL(u))) {
        const target = serviceTarget(objs, url.hostname, { number: Number(url.port) });
        expect([target.workload.metadata.name, target.containerPort]).toEqual(['nats', 4222]);
      }
      expect(config.NATS_STREAM_REPLICAS).toBeLessThanOrEqual(nats.spec.replicas ?? 1);
    }
  });

  it('routes a multi-server NATS through the headless Service to every member', () => {
    const objs = objects();
    const nats = find<Workload>(objs, 'StatefulSet', 'nats');
    const replicas = nats.spec.replicas ?? 1;
    const headless = find<ServiceObject>(objs, 'Service', nats.spec.serviceName as string);
    expect(headless.spec.clusterIP).toBe('None');
    expect(selects(headless.spec.selector, nats.spec.template.metadata.labels)).toBe(true);
    const routes = [...natsConf(objs, nats).matchAll(/nats:\/\/([a-z0-9.-]+):6222/g)].map((m) => m[1]);
    if (replicas === 1) {
      expect(routes).toEqual([]);
    } else {
      expect(routes).toEqual(
        Array.from({ length: replicas }, (_, i) => `${nats.metadata.name}-${i}.${headless.metadata.name}`),
      );
      expect(containerPort(onlyContainer(nats), 'cluster')).toBe(6222);
    }
  });

  it('routes / to the client, each API prefix to the service whose API has it, and every API path is routed', () => {
    const routes = ingressRoutes(objects());
    const prefixes = routes.map((route) => route.prefix);
    expect(prefixes.filter((prefix, i) => prefixes.indexOf(prefix) !== i)).toEqual([]);
    for (const { prefix, target } of routes) {
      if (target === CLIENT) {
        expect([prefix, target]).toEqual(['/', CLIENT]);
        continue;
      }
      const documented = OPENAPI_PATHS[target as ServiceName] ?? [];
      expect([prefix, target, documented.some((p) => p.startsWith(`${prefix}/`) || p === prefix)]).toEqual([
        prefix,
        target,
        true,
      ]);
    }
    expect(routes.filter((route) => route.target === CLIENT).map((route) => route.prefix)).toEqual(['/']);
    const targetOf = (path: string) => routeOf(routes, path)?.target;
    for (const [service, paths] of Object.entries(OPENAPI_PATHS)) {
      for (const apiPath of paths) expect([apiPath, targetOf(apiPath)]).toEqual([apiPath, service]);
    }
    for (const [stream, service] of EVENT_STREAMS)
      expect([stream, targetOf(stream)]).toEqual([stream, service]);
    expect(targetOf('/api/payments/webhooks/stripe')).toBe('payments');
    // The client's files, the pages of the single-page app, its settings and the development sign-in.
    for (const path of [
      '/',
      '/index.html',
      '/assets/index-1a2b3c.js',
      '/config.json',
      '/orders/1',
      '/admin',
    ]) {
      expect([path, targetOf(path)]).toEqual([path, CLIENT]);
    }
    expect(targetOf('/api/dev/sign-in')).toBe(CLIENT);
    // A prefix matches whole path elements: these are pages of the client, not the API.
    expect(targetOf('/api/ordersx')).toBe(CLIENT);
  });

  it('passes Server-Sent Events through unbuffered, with hour-long idle timeouts, on the API only', () => {
    const routes = ingressRoutes(objects());
    const documentedStreams = Object.entries(OPENAPI_PATHS).flatMap(([service, paths]) =>
      paths.filter((path) => path.endsWith('/events')).map((path) => [path, service] as const),
    );
    for (const [stream, service] of [...EVENT_STREAMS, ...documentedStreams]) {
      const route = routeOf(routes, concretePath(stream));
      expect([stream, route?.target]).toEqual([stream, service]);
      const annotations = route?.ingress.metadata.annotations ?? {};
      expect([stream, annotations[STREAMING_ANNOTATIONS.buffering]]).toEqual([stream, 'off']);
      for (const timeout of [STREAMING_ANNOTATIONS.readTimeout, STREAMING_ANNOTATIONS.sendTimeout]) {
        // A string of seconds (an annotation value is a string); the default, 60, would cut an idle stream.
        expect([stream, timeout, annotations[timeout]]).toEqual([
          stream,
          timeout,
          expect.stringMatching(/^\d+$/),
        ]);
        expect(Number(annotations[timeout])).toBeGreaterThanOrEqual(3600);
      }
    }
    // An Ingress's annotations apply to all of its paths: the client's files, in their own Ingress, keep
    // nginx's buffering and 60 s timeouts, so the API's streaming settings cannot have leaked onto them.
    const client = routeOf(routes, '/index.html');
    expect(client?.target).toBe(CLIENT);
    const clientAnnotations = client?.ingress.metadata.annotations ?? {};
    expect(Object.values(STREAMING_ANNOTATIONS).filter((name) => name in clientAnnotations)).toEqual([]);
    for (const route of routes.filter((r) => r.target !== CLIENT))
      expect(route.ingress).not.toBe(client?.ingress);
  });

  it('configures no sticky sessions: any replica serves any request, streams included', () => {
    const objs = objects();
    for (const ingress of byKind<IngressObject>(objs, 'Ingress')) {
      const sticky = Object.keys(ingress.metadata.annotations ?? {}).filter((name) =>
        /affinity|session-cookie|upstream-hash-by/.test(name),
      );
      expect([ingress.metadata.name, sticky]).toEqual([ingress.metadata.name, []]);
    }
    for (const service of byKind<ServiceObject>(objs, 'Service')) {
      const affinity = (service.spec as { sessionAffinity?: string }).sessionAffinity ?? 'None';
      expect([service.metadata.name, affinity]).toEqual([service.metadata.name, 'None']);
    }
  });

  it('takes every secret from a Secret that has a template, and renders no Secret itself', () => {
    const objs = objects();
    expect(byKind(objs, 'Secret')).toEqual([]);
    const workloads = [...byKind<Workload>(objs, 'Deployment'), ...byKind<Workload>(objs, 'StatefulSet')];
    const references = workloads.flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((v) => v.valueFrom?.secretKeyRef)),
    );
    for (const ref of references.filter((r) => r !== undefined)) {
      expect([ref, secretValue(ref.name, ref.key) !== undefined]).toEqual([ref, true]);
    }
  });

  it('runs every pod as a non-root user', () => {
    const workloads = [
      ...byKind<Workload>(objects(), 'Deployment'),
      ...byKind<Workload>(objects(), 'StatefulSet'),
    ];
    for (const workload of workloads) {
      const pod = workload.spec.template.spec as {
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
      };
      expect([workload.metadata.name, pod.securityContext?.runAsNonRoot]).toEqual([
        workload.metadata.name,
        true,
      ]);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    }
  });

  it('sets resource requests and limits on every container', () => {
    const workloads = [
      ...byKind<Workload>(objects(), 'Deployment'),
      ...byKind<Workload>(objects(), 'StatefulSet'),
    ];
    for (const workload of workloads) {
      for (const container of workload.spec.template.spec.containers) {
        const resources = (container as { resources?: { requests?: object; limits?: { memory?: string } } })
          .resources;
        expect([container.name, resources?.requests && resources.limits?.memory !== undefined]).toEqual([
          container.name,
          true,
        ]);
      }
    }
  });
});

describe('the overlays', () => {
  it.each(['base', 'overlays/development'])('%s: the Ingresses answer for ticketing.local', (dir) => {
    const hosts = byKind<IngressObject>(render(dir), 'Ingress').flatMap((i) =>
      i.spec.rules.map((r) => r.host),
    );
    expect(new Set(hosts)).toEqual(new Set(['ticketing.local']));
  });

  it('development: one replica each, payments on Stripe itself (no Stripe fake)', () => {
    const objects = render('overlays/development');
    for (const name of DEPLOYMENTS) expect(find<Workload>(objects, 'Deployment', name).spec.replicas).toBe(1);
    const payments = onlyContainer(find<Workload>(objects, 'Deployment', 'payments'));
    expect(containerEnvironment(objects, payments).env.STRIPE_API_URL).toBeUndefined();
    expect(JSON.stringify(objects)).not.toMatch(/stripe-fake/);
  });

  it('development: the client offers the development sign-in, with the services’ JWT_KEY', () => {
    const objects = render('overlays/development');
    const client = onlyContainer(find<Workload>(objects, 'Deployment', CLIENT));
    const env = containerEnvironment(objects, client).env;
    expect(env.DEVELOPMENT_SIGN_IN).toBe('true');
    const keyOf = (container: Container) =>
      container.env?.find((variable) => variable.name === 'JWT_KEY')?.valueFrom?.secretKeyRef;
    expect(keyOf(client)).toEqual({ name: 'ticketing-jwt', key: 'JWT_KEY' });
    for (const service of SERVICES) {
      expect([service, keyOf(onlyContainer(find<Workload>(objects, 'Deployment', service)))]).toEqual([
        service,
        keyOf(client),
      ]);
    }
  });

  it.each(['base', 'overlays/production'])(
    '%s: no development sign-in anywhere (no DEVELOPMENT_SIGN_IN, no JWT_KEY on the client)',
    (dir) => {
      const objects = render(dir);
      const client = onlyContainer(find<Workload>(objects, 'Deployment', CLIENT));
      const { env } = containerEnvironment(objects, client);
      // The names the container declares, and those its ConfigMaps bring in.
      const names = [...(client.env ?? []).map((variable) => variable.name), ...Object.keys(env)];
      expect(names.filter((name) => DEVELOPMENT_SIGN_IN_VARIABLES.includes(name))).toEqual([]);
      expect(client.envFrom?.filter((source) => source.secretRef) ?? []).toEqual([]);
      // Nor on any other object: no ConfigMap or patch could turn it on.
      expect(JSON.stringify(objects)).not.toMatch(/DEVELOPMENT_SIGN_IN/);
    },
  );

  it('production: three replicas each, a 3-node JetStream with 3 stream replicas, disruption budgets', () => {
    const objects = render('overlays/production');
    const nats = find<Workload>(objects, 'StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    const budgets = byKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>(
      objects,
      'PodDisruptionBudget',
    );
    for (const workload of [...DEPLOYMENTS.map((d) => find<Workload>(objects, 'Deployment', d)), nats]) {
      if (workload.kind === 'Deployment') {
        // Fixed, or the least a HorizontalPodAutoscaler keeps.
        const autoscaler = byKind<
          K8sObject & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas?: number } }
        >(objects, 'HorizontalPodAutoscaler').find(
          (hpa) =>
            hpa.spec.scaleTargetRef.kind === 'Deployment' &&
            hpa.spec.scaleTargetRef.name === workload.metadata.name,
        );
        expect([workload.metadata.name, workload.spec.replicas ?? autoscaler?.spec.minReplicas]).toEqual([
          workload.metadata.name,
          3,
        ]);
      }
      const covering = budgets.filter((b) =>
        selects(b.spec.selector.matchLabels, workload.spec.template.metadata.labels),
      );
      expect([workload.metadata.name, covering.length]).toEqual([workload.metadata.name, 1]);
      const env = containerEnvironment(objects, onlyContainer(workload)).env;
      if ((SERVICES as readonly string[]).includes(workload.metadata.name)) {
        expect(env.NATS_STREAM_REPLICAS).toBe('3');
      }
    }
  });
});

describe('skaffold.yaml', () => {
  const skaffold = parseYaml(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as {
    apiVersion: string;
    build: {
      artifacts: Array<{
        image: string;
        context: string;
        docker: { dockerfile: string; buildArgs?: Record<string, string> };
        sync?: unknown;
      }>;
    };
    manifests: { kustomize: { paths: string[] } };
    deploy: {
      kubectl?: object;
      statusCheckDeadlineSeconds?: number;
      tolerateFailuresUntilDeadline?: boolean;
    };
    portForward: Array<{
      resourceType: string;
      resourceName: string;
      namespace: string;
      port: number;
      localPort: number;
    }>;
  };

  it('uses a current schema and deploys the development overlay with kubectl', () => {
    expect(skaffold.apiVersion).toMatch(/^skaffold\/v4beta\d+$/);
    expect(skaffold.manifests.kustomize.paths).toEqual(['infra/k8s/overlays/development']);
    for (const path of skaffold.manifests.kustomize.paths)
      expect(existsSync(join(ROOT, path, 'kustomization.yaml'))).toBe(true);
    expect(skaffold.deploy).toMatchObject({ kubectl: {} });
    expect(skaffold.portForward).toContainEqual({
      resourceType: 'service',
      resourceName: 'ingress-nginx-controller',
      namespace: 'ingress-nginx',
      port: 80,
      localPort: 8080,
    });
  });

  it.each(RENDERED_DIRS)('builds exactly the images of the Deployments in infra/k8s/%s', (dir) => {
    const deploymentImages = byKind<Workload>(render(dir), 'Deployment').flatMap((d) =>
      d.spec.template.spec.containers.map((c) => imageName(c.image)),
    );
    expect(skaffold.build.artifacts.map((a) => a.image).sort()).toEqual(
      [...new Set(deploymentImages)].sort(),
    );
  });

  it('builds each image from the repository root: the services from the one Dockerfile, the client from its own', () => {
    for (const artifact of skaffold.build.artifacts) {
      const name = artifact.image.replace(/^ticketing\//, '') as DeploymentName;
      expect(DEPLOYMENTS).toContain(name);
      expect(artifact.context).toBe('.');
      expect(artifact.docker).toEqual(
        name === CLIENT
          ? { dockerfile: `${CLIENT}/Dockerfile` }
          : { dockerfile: SERVICES_DOCKERFILE, buildArgs: { SERVICE: name } },
      );
      expect(existsSync(join(ROOT, artifact.docker.dockerfile))).toBe(true);
    }
  });
});

/** A .dockerignore pattern as a regular expression over context-relative paths. */
function ignorePattern(pattern: string): RegExp {
  const source = pattern
    .replace(/^\/+/, '')
    .split(/(\*\*\/|\*|\?)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '*'
          ? '[^/]*'
          : part === '?'
            ? '[^/]'
            : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

describe('the Dockerfiles', () => {
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const isIgnored = (path: string) => {
    const segments = path.replace(/\/+$/, '').split('/');
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const pattern of ignored) {
      const negated = pattern.startsWith('!');
      const regex = ignorePattern(negated ? pattern.slice(1) : pattern);
      if (prefixes.some((prefix) => regex.test(prefix))) excluded = !negated;
    }
    return excluded;
  };
  const workspaces = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
  ).workspaces;

  it('ignores what a build must not send, and keeps what it copies', () => {
    for (const path of [
      'node_modules',
      'orders/node_modules',
      'packages/bus/dist',
      '.data',
      '.git',
      'coverage',
      // The client's image builds these itself, and bakes no developer's .env into the bundle.
      'client/node_modules',
      'client/dist',
      'client/server/dist',
      'client/.env',
      'client/.env.local',
    ]) {
      expect([path, isIgnored(path)]).toEqual([path, true]);
    }
    for (const path of [
      'packages/contracts/src/index.ts',
      'client/index.html',
      'client/vite.config.ts',
      'client/src/main.tsx',
      'client/server/tsconfig.json',
      'client/server/src/main.ts',
    ]) {
      expect([path, isIgnored(path)]).toEqual([path, false]);
    }
  });

  it('builds every image from an npm workspace of the root package.json', () => {
    for (const name of DEPLOYMENTS) expect(workspaces).toContain(name);
  });

  it.each(DEPLOYMENTS)(
    'the Dockerfile of %s copies only paths that exist and reach the build context',
    (service) => {
      const copies = dockerfileInstructions(service).filter(
        (instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='),
      );
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) {
        const words = copy.args.split(/\s+/).filter((word) => !word.startsWith('--'));
        for (const source of words.slice(0, -1)) {
          expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
          expect([source, isIgnored(source)]).toEqual([source, false]);
        }
      }
    },
  );

  const sharedDist = ['packages/contracts/dist', 'packages/bus/dist', 'packages/service/dist'];
  /** What each image's runtime stage takes from its build stage, and runs. */
  const output: Record<DeploymentName, { dist: string[]; cmd: string[] }> = {
    orders: { dist: [...sharedDist, 'orders/dist'], cmd: ['node', 'orders/dist/index.js'] },
    payments: { dist: [...sharedDist, 'payments/dist'], cmd: ['node', 'payments/dist/index.js'] },
    expiration: { dist: [...sharedDist, 'expiration/dist'], cmd: ['node', 'expiration/dist/index.js'] },
    // vite build's static files, and the server that serves them.
    client: {
      dist: [...sharedDist, 'client/dist', 'client/server/dist'],
      cmd: ['node', 'client/server/dist/main.js'],
    },
  };

  it.each(DEPLOYMENTS)(
    'the Dockerfile of %s: Node 22/24, production dependencies, non-root, runs the build output',
    (service) => {
      const instructions = dockerfileInstructions(service);
      const stages = instructions.filter((i) => i.keyword === 'FROM');
      expect(stages.length).toBeGreaterThanOrEqual(2);
      const lastStage = instructions.slice(
        instructions.lastIndexOf(stages.at(-1) as (typeof instructions)[number]),
      );
      const args = Object.fromEntries(
        instructions
          .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
          .map((i) => i.args.split('=') as [string, string]),
      );
      const baseImage = (stages.at(-1)?.args.split(/\s+/)[0] ?? '').replace(
        /\$\{(\w+)\}/,
        (_, name: string) => args[name] ?? '',
      );
      expect(baseImage).toMatch(/^node:(22|24)[.-]/);
      const runs = lastStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(
        runs.some((run) => /npm ci .*--omit=dev/.test(run) && run.includes(`--workspace ${service}`)),
      ).toBe(true);
      const user = lastStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
      expect(user).toBeDefined();
      expect(['root', '0', '0:0']).not.toContain(user);
      // npm ci checks the lockfile against every workspace: each stage that runs it needs all their manifests.
      for (const stage of [
        instructions.slice(0, instructions.lastIndexOf(stages.at(-1) as (typeof instructions)[number])),
        lastStage,
      ]) {
        const copied = stage.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/)[0]);
        for (const workspace of workspaces) expect(copied).toContain(`${workspace}/package.json`);
      }
      const copiedFromBuild = lastStage
        .filter((i) => i.keyword === 'COPY' && i.args.includes('--from='))
        .map((i) => i.args);
      const expected = output[service as DeploymentName];
      for (const dist of expected.dist) {
        expect([dist, copiedFromBuild.some((args) => args.split(/\s+/).includes(`/app/${dist}`))]).toEqual([
          dist,
          true,
        ]);
      }
      expect(dockerfileCmd(service)).toEqual(expected.cmd);
    },
  );

  it('client/Dockerfile builds the server with tsc and the client with vite build, after the shared packages', () => {
    const instructions = dockerfileInstructions(CLIENT);
    const runtime = instructions.lastIndexOf(
      instructions.filter((i) => i.keyword === 'FROM').at(-1) as (typeof instructions)[number],
    );
    const runs = instructions
      .slice(0, runtime)
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    const steps = [
      'npx tsc -b packages/service',
      'npx tsc -p client/server/tsconfig.json',
      'npm run build -w client',
    ].map((step) => runs.indexOf(step));
    expect(steps.every((index) => index >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(runs).toMatch(
      /npm ci --workspace packages\/contracts --workspace packages\/bus --workspace packages\/service --workspace client /,
    );
  });
});

it('keeps the Secret templates out of every kustomization', () => {
  for (const dir of RENDERED_DIRS) {
    const kustomization = parseYaml(readFileSync(join(K8S, dir, 'kustomization.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const listed = ['resources', 'bases', 'patchesStrategicMerge'].flatMap(
      (field) => (kustomization[field] as string[] | undefined) ?? [],
    );
    expect([dir, listed.filter((entry) => entry.includes('secrets'))]).toEqual([dir, []]);
  }
  const templates = readdirSync(join(K8S, 'secrets')).filter((file) => file.endsWith('.yaml'));
  expect(templates.filter((file) => !file.endsWith('.example.yaml'))).toEqual([]);
});
