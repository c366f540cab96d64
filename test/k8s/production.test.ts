import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { migrationConfig } from '@ticketing/service';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { expirationConfig } from '../../expiration/src/config';
import { ordersConfig } from '../../orders/src/config';
import { paymentsConfig } from '../../payments/src/config';
import {
  byKind,
  DEPLOYMENTS,
  dockerfileCmd,
  find,
  findKubectl,
  K8S,
  parseYamlDocuments,
  render,
  ROOT,
  secretTemplates,
  selects,
  SERVICES,
  validateManifest,
  type Container,
  type IngressObject,
  type K8sObject,
  type ServiceName,
  type ServiceObject,
  type Workload,
} from './manifests';

/**
 * Issue 16: the production overlay is deployable. Each check reads the objects `kubectl kustomize` renders
 * from infra/k8s/overlays/production (and, for the managed database, that overlay with the component).
 */

const PRODUCTION = 'overlays/production';
const objects = () => render(PRODUCTION);

const CONFIG_SCHEMAS: Record<ServiceName, z.ZodType> = {
  orders: ordersConfig,
  payments: paymentsConfig,
  expiration: expirationConfig,
};

type ConfigMap = K8sObject & { data?: Record<string, string> };
type Secret = K8sObject & { stringData?: Record<string, string> };
interface Volume {
  name: string;
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  configMap?: { name: string };
}
type FullContainer = Container & {
  args?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
interface PodSpec {
  containers: FullContainer[];
  initContainers?: FullContainer[];
  volumes?: Volume[];
  restartPolicy?: string;
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: Array<{
        topologyKey: string;
        labelSelector: { matchLabels: Record<string, string> };
      }>;
    };
  };
  topologySpreadConstraints?: Array<{
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: { matchLabels: Record<string, string> };
  }>;
}
type Pod = { metadata: { labels: Record<string, string> }; spec: PodSpec };
type AnyWorkload = K8sObject & {
  spec: {
    replicas?: number;
    template: Pod;
    volumeClaimTemplates?: Array<{ spec: { resources: { requests: { storage: string } } } }>;
  };
};

/** Deployments, StatefulSets and Jobs: everything that runs a pod. */
function workloads(objs: K8sObject[]): AnyWorkload[] {
  return ['Deployment', 'StatefulSet', 'Job'].flatMap((kind) => byKind<AnyWorkload>(objs, kind));
}

function containerNamed(workload: AnyWorkload, name: string): FullContainer {
  const container = workload.spec.template.spec.containers.find((c) => c.name === name);
  if (!container) throw new Error(`${workload.kind}/${workload.metadata.name} has no container ${name}`);
  return container;
}

function secretValue(name: string, key: string): string | undefined {
  const secret = secretTemplates().find((s) => s.metadata.name === name) as Secret | undefined;
  return secret?.stringData?.[key];
}

/** A container's environment as the kubelet composes it; Secrets from the templates in infra/k8s/secrets. */
function environment(objs: K8sObject[], container: FullContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      Object.assign(env, find<ConfigMap>(objs, 'ConfigMap', source.configMapRef.name).data ?? {});
    }
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) =>
        env[name] === undefined ? whole : (env[name] as string),
      );
    } else if (ref) {
      const value = secretValue(ref.name, ref.key);
      if (value === undefined) throw new Error(`no Secret template for ${ref.name}/${ref.key}`);
      env[variable.name] = value;
    }
  }
  return env;
}

/** Kubernetes quantities (Mi, Gi, M, G, MB, GB, MiB, GiB) in bytes. */
function bytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|[kmgt]i?b?)?$/.exec(quantity.trim());
  if (!match) throw new Error(`not a quantity: ${quantity}`);
  const unit = (match[2] ?? '').toUpperCase().replace(/B$/, '');
  const powers: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const binary: Record<string, number> = { KI: 2 ** 10, MI: 2 ** 20, GI: 2 ** 30, TI: 2 ** 40 };
  const factor = binary[unit] ?? powers[unit];
  if (factor === undefined) throw new Error(`unknown unit in ${quantity}`);
  return Number(match[1]) * factor;
}

function natsConf(objs: K8sObject[]): string {
  const nats = find<AnyWorkload>(objs, 'StatefulSet', 'nats');
  const name = nats.spec.template.spec.volumes?.find((v) => v.configMap)?.configMap?.name as string;
  return find<ConfigMap>(objs, 'ConfigMap', name).data?.['nats.conf'] as string;
}

/** The body of a `name { ... }` block of nats.conf (one level of nesting). */
function confBlock(conf: string, name: string): string {
  const match = new RegExp(`^\\s*${name}\\s*\\{((?:[^{}]|\\{[^{}]*\\})*)\\}`, 'm').exec(conf);
  if (!match) throw new Error(`nats.conf has no ${name} block`);
  return match[1] as string;
}

/** The Secret (and the key's file) a container reads a file path from. */
function mountedSecretFile(workload: AnyWorkload, container: FullContainer, path: string) {
  const mount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${container.name} mounts nothing at ${path}`);
  const volume = workload.spec.template.spec.volumes?.find((v) => v.name === mount.name);
  const file = path.slice(mount.mountPath.length + 1);
  const items = volume?.secret?.items;
  const key = items ? items.find((item) => item.path === file)?.key : file;
  return { secretName: volume?.secret?.secretName, key };
}

describe('production: images by registry and digest', () => {
  it('pins every container of every workload to registry/name@sha256:<64 hex>, none by tag', () => {
    const images = workloads(objects()).flatMap((w) =>
      [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])].map((c) => [
        `${w.kind}/${w.metadata.name}/${c.name}`,
        c.image,
      ]),
    );
    expect(images.length).toBeGreaterThan(10);
    for (const [where, image] of images) {
      // A registry host (with a dot), a path, a digest and no tag.
      expect([where, image]).toEqual([
        where,
        expect.stringMatching(/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/),
      ]);
      expect(image).not.toMatch(/:latest/);
    }
  });

  it('says in the kustomization that CI replaces the placeholder digests', () => {
    const text = readFileSync(join(K8S, PRODUCTION, 'kustomization.yaml'), 'utf8');
    expect(text).toMatch(/kustomize edit set image/);
    expect(text).toMatch(/placeholder/);
  });
});

describe('production: one public host with TLS', () => {
  it('serves every Ingress on a real host with a TLS certificate from cert-manager', () => {
    const ingresses = byKind<IngressObject>(objects(), 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) {
      const spec = ingress.spec as IngressObject['spec'] & {
        tls?: Array<{ hosts: string[]; secretName: string }>;
      };
      const hosts = spec.rules.map((rule) => rule.host);
      for (const host of hosts) {
        expect(host).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        expect(host).not.toMatch(/\.local$/);
        expect(spec.tls?.some((tls) => tls.hosts.includes(host as string) && tls.secretName)).toBe(true);
      }
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toMatch(/\S/);
    }
  });
});

describe('production: NATS with authentication, TLS, sized limits', () => {
  it('requires TLS with the cert-manager certificate, whose names cover what clients and routes dial', () => {
    const objs = objects();
    const nats = find<AnyWorkload>(objs, 'StatefulSet', 'nats');
    const server = containerNamed(nats, 'nats');
    const conf = natsConf(objs);
    const certificates = byKind<
      K8sObject & { spec: { secretName: string; dnsNames: string[]; isCA?: boolean } }
    >(objs, 'Certificate');
    const names = (secretName: string | undefined) =>
      certificates.find((c) => c.spec.secretName === secretName)?.spec.dnsNames ?? [];
    const covers = (dnsNames: string[], host: string) =>
      dnsNames.some(
        (n) => n === host || (n.startsWith('*.') && host.split('.').slice(1).join('.') === n.slice(2)),
      );

    const clientTls = confBlock(conf, 'tls');
    const cluster = confBlock(conf, 'cluster');
    const routeTls = /tls\s*\{([^}]*)\}/.exec(cluster)?.[1] ?? '';
    expect(routeTls).toMatch(/verify:\s*true/);
    const serverSecrets = new Set<string | undefined>();
    for (const tls of [clientTls, routeTls]) {
      for (const key of ['cert_file', 'key_file', 'ca_file']) {
        const path = new RegExp(`${key}:\\s*(\\S+)`).exec(tls)?.[1] as string;
        expect([key, path]).toEqual([key, expect.stringMatching(/^\//)]);
        serverSecrets.add(mountedSecretFile(nats, server, path).secretName);
      }
    }
    expect(serverSecrets.size).toBe(1);
    const [serverSecret] = [...serverSecrets];
    const dnsNames = names(serverSecret);
    expect(dnsNames.length).toBeGreaterThan(0);

    const routes = [...cluster.matchAll(/nats:\/\/([a-z0-9.-]+):6222/g)].map((m) => m[1] as string);
    expect(routes).toHaveLength(3);
    for (const route of routes) expect([route, covers(dnsNames, route)]).toEqual([route, true]);

    for (const service of SERVICES) {
      const deployment = find<AnyWorkload>(objs, 'Deployment', service);
      const container = containerNamed(deployment, service);
      const env = environment(objs, container);
      for (const url of (env.NATS_URL as string).split(',')) {
        expect(url).toMatch(/^tls:\/\//);
        const host = new URL(url).hostname;
        expect([service, host, covers(dnsNames, host)]).toEqual([service, host, true]);
      }
      // The client trusts the CA that signed the server's certificate (ca.crt of the same Secret).
      const ca = mountedSecretFile(deployment, container, env.NODE_EXTRA_CA_CERTS as string);
      expect([service, ca]).toEqual([service, { secretName: serverSecret, key: 'ca.crt' }]);
    }
  });

  it('authenticates each service as its own user, the password from a Secret both sides read', () => {
    const objs = objects();
    const nats = find<AnyWorkload>(objs, 'StatefulSet', 'nats');
    const server = containerNamed(nats, 'nats');
    const users = [
      ...confBlock(natsConf(objs), 'authorization').matchAll(/user:\s*(\w+)\s*,\s*password:\s*\$(\w+)/g),
    ].map((m) => ({ user: m[1] as string, variable: m[2] as string }));
    expect(users.map((u) => u.user).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      const container = containerNamed(find<AnyWorkload>(objs, 'Deployment', service), service);
      const env = environment(objs, container);
      expect(env.NATS_USER).toBe(service);
      const clientRef = container.env?.find((v) => v.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef;
      const variable = users.find((u) => u.user === service)?.variable;
      const serverRef = server.env?.find((v) => v.name === variable)?.valueFrom?.secretKeyRef;
      expect(clientRef).toBeDefined();
      expect([service, serverRef]).toEqual([service, clientRef]);
      // Nobody else's password: every service has a key of its own.
      expect(clientRef?.key).toBe(service);
      // The service's config still parses with these variables added.
      expect(CONFIG_SCHEMAS[service].safeParse(env).error?.issues ?? []).toEqual([]);
    }
  });

  it('keeps the JetStream file store below its volume, and memory below the container limits', () => {
    const objs = objects();
    const nats = find<AnyWorkload>(objs, 'StatefulSet', 'nats');
    const server = containerNamed(nats, 'nats');
    const jetstream = confBlock(natsConf(objs), 'jetstream');
    const fileStore = bytes(/max_file_store:\s*(\S+)/.exec(jetstream)?.[1] as string);
    const memoryStore = bytes(/max_memory_store:\s*(\S+)/.exec(jetstream)?.[1] as string);
    const volume = bytes(nats.spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage as string);
    // Room left for the Raft logs and snapshots that recover a node.
    expect(fileStore).toBeLessThanOrEqual(volume * 0.85);
    const limit = bytes(server.resources?.limits?.memory as string);
    const goMemLimit = bytes(server.env?.find((v) => v.name === 'GOMEMLIMIT')?.value ?? 'none');
    expect(goMemLimit).toBeLessThan(limit * 0.9);
    expect(memoryStore).toBeLessThan(goMemLimit / 2);

    for (const name of DEPLOYMENTS) {
      const deployment = find<AnyWorkload>(objs, 'Deployment', name);
      const container = containerNamed(deployment, name);
      const heap = /--max-old-space-size=(\d+)/.exec(environment(objs, container).NODE_OPTIONS ?? '')?.[1];
      const memory = bytes(container.resources?.limits?.memory as string);
      expect([name, heap]).toEqual([name, expect.stringMatching(/^\d+$/)]);
      // The heap within three quarters of the limit: the rest is code, buffers and the young generation.
      expect(Number(heap) * 2 ** 20).toBeLessThanOrEqual(memory * 0.75);
    }
  });
});

describe('production: NetworkPolicies allow exactly the flows the system uses', () => {
  interface Selector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  }
  interface Peer {
    podSelector?: Selector;
    namespaceSelector?: Selector;
    ipBlock?: { cidr: string; except?: string[] };
  }
  interface Rule {
    ports?: Array<{ protocol?: string; port?: number | string }>;
    from?: Peer[];
    to?: Peer[];
  }
  type Policy = K8sObject & {
    spec: { podSelector: Selector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
  };
  interface Endpoint {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    ip?: string;
    ports: string[];
  }

  const NAMESPACE = 'ticketing';
  const NAMESPACE_LABELS: Record<string, Record<string, string>> = Object.fromEntries(
    [NAMESPACE, 'ingress-nginx', 'monitoring', 'kube-system'].map((ns) => [
      ns,
      { 'kubernetes.io/metadata.name': ns },
    ]),
  );

  function matches(selector: Selector, labels: Record<string, string>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return values.includes(labels[key] as string);
        case 'NotIn':
          return !values.includes(labels[key] as string);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          throw new Error(`operator ${operator}`);
      }
    });
    return byLabels && byExpressions;
  }

  function ipv4(ip: string): number {
    return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  }
  function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split('/') as [string, string];
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
  }

  function peerMatches(peer: Peer, endpoint: Endpoint): boolean {
    if (peer.ipBlock) {
      // Pods are not addressed by ipBlock here: the pod network is private, and the blocks leave it out.
      return (
        endpoint.ip !== undefined &&
        inCidr(endpoint.ip, peer.ipBlock.cidr) &&
        !(peer.ipBlock.except ?? []).some((cidr) => inCidr(endpoint.ip as string, cidr))
      );
    }
    if (!endpoint.labels || !endpoint.namespace) return false;
    const inNamespace = peer.namespaceSelector
      ? matches(peer.namespaceSelector, NAMESPACE_LABELS[endpoint.namespace] ?? {})
      : endpoint.namespace === NAMESPACE;
    return inNamespace && (!peer.podSelector || matches(peer.podSelector, endpoint.labels));
  }

  function portMatches(rule: Rule, port: string): boolean {
    if (!rule.ports || rule.ports.length === 0) return true;
    const [number, protocol] = port.split('/') as [string, string];
    return rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol && String(p.port) === number);
  }

  function allowedBy(
    policies: Policy[],
    type: 'Ingress' | 'Egress',
    subject: Endpoint,
    peer: Endpoint,
    port: string,
  ) {
    if (subject.namespace !== NAMESPACE || !subject.labels) return true; // not ours to restrict
    const applying = policies.filter(
      (p) =>
        p.spec.policyTypes.includes(type) &&
        matches(p.spec.podSelector, subject.labels as Record<string, string>),
    );
    if (applying.length === 0) return true;
    return applying.some((p) =>
      (type === 'Ingress' ? p.spec.ingress : p.spec.egress)?.some((rule) => {
        const peers = type === 'Ingress' ? rule.from : rule.to;
        return (
          (!peers || peers.length === 0 || peers.some((x) => peerMatches(x, peer))) && portMatches(rule, port)
        );
      }),
    );
  }

  /** Every flow the policies allow between the pods of the render and the endpoints outside it. */
  function allowedFlows(objs: K8sObject[]): string[] {
    const policies = byKind<Policy>(objs, 'NetworkPolicy');
    const pods: Endpoint[] = workloads(objs).map((w) => ({
      name: w.metadata.name,
      namespace: NAMESPACE,
      labels: w.spec.template.metadata.labels,
      ports: w.spec.template.spec.containers.flatMap((c) =>
        (c.ports ?? []).map((p) => `${p.containerPort}/TCP`),
      ),
    }));
    const outside: Endpoint[] = [
      {
        name: 'ingress-nginx',
        namespace: 'ingress-nginx',
        labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
        ports: [],
      },
      {
        name: 'prometheus',
        namespace: 'monitoring',
        labels: { 'app.kubernetes.io/name': 'prometheus' },
        ports: [],
      },
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
        ports: ['53/UDP', '53/TCP'],
      },
      // A pod of another namespace with the labels of ours: namespace selectors must not let it in.
      {
        name: 'impostor',
        namespace: 'default',
        labels: { 'app.kubernetes.io/name': 'orders' },
        ports: ['3000/TCP'],
      },
      { name: 'internet', ip: '54.187.216.72', ports: ['443/TCP', '80/TCP', '5432/TCP'] },
      { name: 'private-network', ip: '10.12.0.7', ports: ['443/TCP', '5432/TCP'] },
      { name: 'cloud-metadata', ip: '169.254.169.254', ports: ['80/TCP', '443/TCP'] },
    ];
    const flows: string[] = [];
    for (const source of [...pods, ...outside]) {
      for (const target of [...pods, ...outside]) {
        if (source === target && !pods.includes(source)) continue;
        if (!pods.includes(source) && !pods.includes(target)) continue;
        if (!source.labels) continue; // addresses do not start connections here
        for (const port of target.ports) {
          if (
            allowedBy(policies, 'Egress', source, target, port) &&
            allowedBy(policies, 'Ingress', target, source, port)
          ) {
            flows.push(`${source.name} -> ${target.name}:${port}`);
          }
        }
      }
    }
    return flows.sort();
  }

  const workloadNames = (objs: K8sObject[]) => workloads(objs).map((w) => w.metadata.name);

  function expectedFlows(objs: K8sObject[], database: (service: ServiceName) => string): string[] {
    const flows = [
      'ingress-nginx -> client:3000/TCP',
      'ingress-nginx -> orders:3000/TCP',
      'ingress-nginx -> payments:3000/TCP',
      'prometheus -> nats:7777/TCP',
      'nats -> nats:6222/TCP',
      'payments -> internet:443/TCP',
      ...SERVICES.flatMap((s) => [
        `prometheus -> ${s}:3000/TCP`,
        `${s} -> nats:4222/TCP`,
        `${s} -> ${database(s)}`,
        `${s}-migrate -> ${database(s)}`,
      ]),
      ...workloadNames(objs).flatMap((name) => [`${name} -> kube-dns:53/UDP`, `${name} -> kube-dns:53/TCP`]),
    ];
    return flows.sort();
  }

  it('denies everything by default, for every pod, both ways', () => {
    const policies = byKind<Policy>(objects(), 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(1);
    const defaultDeny = policies.filter(
      (p) =>
        Object.keys(p.spec.podSelector).length === 0 &&
        [...p.spec.policyTypes].sort().join() === 'Egress,Ingress' &&
        !p.spec.ingress &&
        !p.spec.egress,
    );
    expect(defaultDeny).toHaveLength(1);
  });

  it('allows exactly: ingress-nginx to the client and the API, Prometheus, each service its own database, NATS, DNS, Stripe', () => {
    const objs = objects();
    expect(allowedFlows(objs)).toEqual(expectedFlows(objs, (s) => `${s}-postgres:5432/TCP`));
  });

  it('keeps orders out of the payments database (and every service out of the others’)', () => {
    const flows = allowedFlows(objects());
    for (const service of SERVICES) {
      for (const other of SERVICES.filter((s) => s !== service)) {
        expect(flows.filter((f) => f.startsWith(`${service} -> ${other}-postgres`))).toEqual([]);
        expect(flows.filter((f) => f.startsWith(`${service}-migrate -> ${other}-postgres`))).toEqual([]);
      }
    }
  });

  it('with the managed database: each service reaches its own server’s address, and only that', () => {
    const objs = renderWithManagedDatabase();
    const flows = allowedFlows(objs);
    const policies = byKind<Policy>(objs, 'NetworkPolicy');
    const addressOf = (service: ServiceName) =>
      find<Policy>(objs, 'NetworkPolicy', `${service}-database`).spec.egress?.[0]?.to?.[0]?.ipBlock
        ?.cidr as string;
    // No pod listens on 5432 any more, and no other private or public address is reachable on it.
    expect(flows.filter((f) => f.endsWith(':5432/TCP'))).toEqual([]);
    expect(new Set(SERVICES.map(addressOf)).size).toBe(SERVICES.length);
    for (const service of SERVICES) {
      expect(addressOf(service)).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
      for (const name of [service, `${service}-migrate`]) {
        const endpoint = {
          name,
          namespace: NAMESPACE,
          labels: find<AnyWorkload>(objs, name === service ? 'Deployment' : 'Job', name).spec.template
            .metadata.labels,
          ports: [],
        };
        for (const other of SERVICES) {
          const server = { name: 'db', ip: addressOf(other).split('/')[0] as string, ports: [] };
          expect([name, other, allowedBy(policies, 'Egress', endpoint, server, '5432/TCP')]).toEqual([
            name,
            other,
            other === service,
          ]);
        }
      }
    }
  });
});

describe('production: autoscaling and spread', () => {
  type Hpa = K8sObject & {
    spec: { scaleTargetRef: { kind: string; name: string }; minReplicas?: number; maxReplicas: number };
  };

  it('gives every Deployment an HorizontalPodAutoscaler, and no replicas of its own to fight it', () => {
    const objs = objects();
    const hpas = byKind<Hpa>(objs, 'HorizontalPodAutoscaler');
    for (const name of DEPLOYMENTS) {
      const deployment = find<Workload>(objs, 'Deployment', name);
      const covering = hpas.filter(
        (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
      );
      expect([name, covering.length]).toEqual([name, 1]);
      expect([name, deployment.spec.replicas]).toEqual([name, undefined]);
      const hpa = covering[0] as Hpa;
      // Three at least: one per zone, and the disruption budget (maxUnavailable 1) leaves two.
      expect(hpa.spec.minReplicas ?? 1).toBeGreaterThanOrEqual(3);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas ?? 1);
    }
    for (const hpa of hpas) find(objs, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
  });

  it('spreads every Deployment and NATS over zones, and never puts two NATS servers on one node', () => {
    const objs = objects();
    const spread = [
      ...DEPLOYMENTS.map((d) => find<AnyWorkload>(objs, 'Deployment', d)),
      find<AnyWorkload>(objs, 'StatefulSet', 'nats'),
    ];
    for (const workload of spread) {
      const constraints = workload.spec.template.spec.topologySpreadConstraints ?? [];
      const zone = constraints.find((c) => c.topologyKey === 'topology.kubernetes.io/zone');
      expect([workload.metadata.name, zone !== undefined]).toEqual([workload.metadata.name, true]);
      expect(selects(zone?.labelSelector.matchLabels ?? {}, workload.spec.template.metadata.labels)).toBe(
        true,
      );
    }
    const nats = find<AnyWorkload>(objs, 'StatefulSet', 'nats');
    const required =
      nats.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(required.map((term) => term.topologyKey)).toEqual(['kubernetes.io/hostname']);
    expect(selects(required[0]?.labelSelector.matchLabels ?? {}, nats.spec.template.metadata.labels)).toBe(
      true,
    );
  });
});

describe('production: ServiceMonitors', () => {
  type ServiceMonitor = K8sObject & {
    spec: {
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string; path?: string }>;
    };
  };

  it('scrape every service’s /metrics and the NATS exporter, through Services and ports that exist', () => {
    const objs = objects();
    const monitors = byKind<ServiceMonitor>(objs, 'ServiceMonitor');
    const services = byKind<ServiceObject>(objs, 'Service');
    const scraped: string[] = [];
    for (const monitor of monitors) {
      const selected = services.filter((s) =>
        selects(monitor.spec.selector.matchLabels, s.metadata.labels ?? {}),
      );
      expect([monitor.metadata.name, selected.length]).toEqual([monitor.metadata.name, 1]);
      const service = selected[0] as ServiceObject;
      for (const endpoint of monitor.spec.endpoints) {
        const port = service.spec.ports.find((p) => p.name === endpoint.port);
        expect([monitor.metadata.name, endpoint.port, port !== undefined]).toEqual([
          monitor.metadata.name,
          endpoint.port,
          true,
        ]);
        // The port reaches a container port of the pods the Service selects.
        const pods = workloads(objs).filter((w) =>
          selects(service.spec.selector, w.spec.template.metadata.labels),
        );
        expect(pods.length).toBeGreaterThan(0);
        for (const pod of pods) {
          const containers = pod.spec.template.spec.containers.filter((c) =>
            c.ports?.some((p) => p.name === port?.targetPort || p.containerPort === port?.targetPort),
          );
          expect([monitor.metadata.name, containers.length]).toEqual([monitor.metadata.name, 1]);
          scraped.push(`${pod.metadata.name}/${containers[0]?.name}${endpoint.path ?? '/metrics'}`);
        }
      }
    }
    expect(scraped.sort()).toEqual(
      [...SERVICES.map((s) => `${s}/${s}/metrics`), 'nats/exporter/metrics'].sort(),
    );
  });

  it('runs the prometheus-nats-exporter beside each NATS server, reading its monitoring port', () => {
    const nats = find<AnyWorkload>(objects(), 'StatefulSet', 'nats');
    const exporter = containerNamed(nats, 'exporter');
    expect(exporter.image).toMatch(/prometheus-nats-exporter@sha256:/);
    expect(exporter.args?.at(-1)).toBe('http://localhost:8222');
    expect(containerNamed(nats, 'nats').ports?.find((p) => p.name === 'monitor')?.containerPort).toBe(8222);
  });
});

describe('production: migrations as one Job per service, the services waiting for the schema', () => {
  type Job = AnyWorkload & {
    spec: AnyWorkload['spec'] & { backoffLimit?: number; activeDeadlineSeconds?: number };
  };

  it.each(SERVICES)(
    'migrates %s in a Job running its image with `migrate`, on its own database',
    (service) => {
      const objs = objects();
      const job = find<Job>(objs, 'Job', `${service}-migrate`);
      const deployment = find<AnyWorkload>(objs, 'Deployment', service);
      const [migrate] = job.spec.template.spec.containers;
      const app = containerNamed(deployment, service);
      expect(job.spec.template.spec.containers).toHaveLength(1);
      expect(migrate?.image).toBe(app.image);
      // The image's CMD, its script by absolute path (dockerfileCmd gives it relative to the image's /app).
      const [node, script] = dockerfileCmd(service);
      expect(migrate?.command).toEqual([node, `/app/${script}`, 'migrate']);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      // No probe: a long migration is not killed, and the service's startup probe never waits for it.
      expect([migrate?.startupProbe, migrate?.livenessProbe, migrate?.readinessProbe]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      const jobEnv = environment(objs, migrate as FullContainer);
      const appEnv = environment(objs, app);
      expect(jobEnv.DATABASE_URL).toBe(appEnv.DATABASE_URL);
      expect(migrationConfig.safeParse(jobEnv).error?.issues ?? []).toEqual([]);
      // Not selected as one of the service's pods (Service, PodDisruptionBudget, HPA).
      expect(
        selects(
          find<ServiceObject>(objs, 'Service', service).spec.selector,
          job.spec.template.metadata.labels,
        ),
      ).toBe(false);
    },
  );

  it.each(SERVICES)('runs %s with MIGRATIONS=external: it waits, unready, for the schema', (service) => {
    const objs = objects();
    const env = environment(objs, containerNamed(find<AnyWorkload>(objs, 'Deployment', service), service));
    const config = CONFIG_SCHEMAS[service].parse(env) as { MIGRATIONS: string };
    expect(config.MIGRATIONS).toBe('external');
  });

  it('writes down the expand/contract rules in decision 0016, listed in the decisions index', () => {
    const decision = join(ROOT, 'docs', 'decisions', '0016-migrations-expand-contract.md');
    expect(existsSync(decision)).toBe(true);
    const text = readFileSync(decision, 'utf8');
    expect(text).toMatch(/expand/i);
    expect(text).toMatch(/contract/i);
    expect(readFileSync(join(ROOT, 'docs', 'decisions', 'README.md'), 'utf8')).toMatch(
      /\(0016-migrations-expand-contract\.md\)/,
    );
  });
});

let managedDatabase: K8sObject[] | undefined;
const COMPONENT = join(K8S, 'components', 'managed-database');

/** The production overlay with the managed-database component, as a copy of the overlay would have it. */
function renderWithManagedDatabase(): K8sObject[] {
  if (managedDatabase) return managedDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'k8s-managed-database-'));
  try {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        `  - ${relative(dir, join(K8S, PRODUCTION))}`,
        'components:',
        `  - ${relative(dir, COMPONENT)}`,
        '',
      ].join('\n'),
    );
    const output = execFileSync(findKubectl(), ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
    managedDatabase = parseYamlDocuments(output, 'production + managed-database');
    return managedDatabase;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the managed-database component', () => {
  it('renders valid objects, without the in-cluster PostgreSQL', () => {
    const objs = renderWithManagedDatabase();
    const problems: string[] = [];
    for (const object of objs) {
      try {
        validateManifest(object);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    expect(problems).toEqual([]);
    expect(
      objs.filter((o) => /postgres/.test(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    expect(JSON.stringify(objs)).not.toMatch(/-postgres\b/);
  });

  it.each(SERVICES)(
    'takes %s’s DATABASE_URLs from its Secret, verify-full, for the service and its Job',
    (service) => {
      const objs = renderWithManagedDatabase();
      const deployment = find<AnyWorkload>(objs, 'Deployment', service);
      const job = find<AnyWorkload>(objs, 'Job', `${service}-migrate`);
      for (const [workload, container] of [
        [deployment, containerNamed(deployment, service)],
        [job, containerNamed(job, 'migrate')],
      ] as const) {
        const ref = container.env?.find((v) => v.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
        expect(ref?.name).toBe(`${service}-database`);
        expect(container.env?.find((v) => v.name === 'DATABASE_URL')?.value).toBeUndefined();
        expect(container.env?.some((v) => v.name === 'DATABASE_PASSWORD')).toBe(false);
        const env = environment(objs, container);
        const url = new URL(env.DATABASE_URL as string);
        expect(url.searchParams.get('sslmode')).toBe('verify-full');
        // The CA the URL names is mounted.
        const rootCert = url.searchParams.get('sslrootcert') as string;
        const mount = container.volumeMounts?.find((m) => rootCert.startsWith(`${m.mountPath}/`));
        expect(workload.spec.template.spec.volumes?.find((v) => v.name === mount?.name)).toBeDefined();
        const schema = workload.kind === 'Job' ? migrationConfig : CONFIG_SCHEMAS[service];
        expect(schema.safeParse(env).error?.issues ?? []).toEqual([]);
      }
    },
  );

  it('shows an ExternalSecret for the Secrets, as an example the component does not apply', () => {
    const kustomization = readFileSync(join(COMPONENT, 'kustomization.yaml'), 'utf8');
    expect((parseYaml(kustomization) as { kind: string }).kind).toBe('Component');
    expect(kustomization).toMatch(/Sealed Secrets/);
    const [example] = parseYamlDocuments(
      readFileSync(join(COMPONENT, 'external-secret.example.yaml'), 'utf8'),
      'example',
    );
    const spec = (
      example as K8sObject & {
        spec: { target: { name: string; template: { data: Record<string, string> } } };
      }
    ).spec;
    expect(example?.kind).toBe('ExternalSecret');
    expect(spec.target.name).toBe('orders-database');
    expect(Object.keys(spec.target.template.data).sort()).toEqual(['migrate-url', 'url']);
    for (const url of Object.values(spec.target.template.data)) expect(url).toMatch(/sslmode=verify-full/);
    const rendered = renderWithManagedDatabase();
    expect(rendered.filter((o) => o.kind === 'ExternalSecret')).toEqual([]);
  });
});
