import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  byKind,
  dockerfileCmd,
  dockerfileInstructions,
  find,
  K8S,
  RENDERED_DIRS,
  render,
  ROOT,
  SERVICES,
  SERVICES_DOCKERFILE,
  type Container,
  type Workload,
} from './manifests';

/**
 * The development loop on a fresh kind cluster (docs/kubernetes.md, "skaffold dev from zero"): the cluster
 * the guide creates can run ingress-nginx's kind manifest, skaffold waits long enough for a cold start, the
 * pods' probes fit one, and the manifests and the Dockerfile are written once for every service.
 */

const GUIDE = readFileSync(join(ROOT, 'docs', 'kubernetes.md'), 'utf8');
const KIND_CONFIG = 'infra/kind/cluster.yaml';

interface KindNode {
  role: string;
  labels?: Record<string, string>;
  extraPortMappings?: Array<{ containerPort: number; hostPort: number; protocol?: string }>;
}

describe('the kind cluster of the guide', () => {
  const config = parseYaml(readFileSync(join(ROOT, KIND_CONFIG), 'utf8')) as {
    kind: string;
    apiVersion: string;
    nodes: KindNode[];
  };

  it('is the config the guide creates the cluster with', () => {
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
    expect(GUIDE).toContain(`kind create cluster --name ticketing --config ${KIND_CONFIG}`);
  });

  // ingress-nginx's kind manifest: nodeSelector ingress-ready=true (and kubernetes.io/os=linux, which every
  // kind node has), hostPorts 80 and 443, and a toleration for the control plane's taint.
  it('has a node where ingress-nginx’s kind controller schedules, publishing 80 and 443', () => {
    const ingressNodes = config.nodes.filter((node) => node.labels?.['ingress-ready'] === 'true');
    expect(ingressNodes.length).toBeGreaterThan(0);
    for (const node of ingressNodes) {
      const ports = (node.extraPortMappings ?? []).map((m) => [
        m.containerPort,
        m.hostPort,
        m.protocol ?? 'TCP',
      ]);
      expect(ports).toEqual(
        expect.arrayContaining([
          [80, 80, 'TCP'],
          [443, 443, 'TCP'],
        ]),
      );
    }
  });

  it('pins every tool the guide installs', () => {
    // The kind provider manifest of ingress-nginx at a controller tag, never a branch.
    const manifests = [
      ...GUIDE.matchAll(/https:\/\/raw\.githubusercontent\.com\/kubernetes\/ingress-nginx\/(\S+?)\//g),
    ];
    expect(manifests.length).toBeGreaterThan(0);
    for (const [, ref] of manifests) expect(ref).toMatch(/^controller-v\d+\.\d+\.\d+$/);
    expect(GUIDE).toMatch(/deploy\/static\/provider\/kind\/deploy\.yaml/);
    for (const tool of ['kind', 'skaffold', 'kubectl']) {
      expect([tool, new RegExp(`${tool}[^\\n|]*\\|\\s*v\\d+\\.\\d+\\.\\d+`).test(GUIDE)]).toEqual([
        tool,
        true,
      ]);
    }
  });
});

describe('skaffold.yaml for a cold start', () => {
  const skaffold = parseYaml(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as {
    apiVersion: string;
    deploy: { statusCheckDeadlineSeconds?: number; tolerateFailuresUntilDeadline?: boolean };
    build: {
      artifacts: Array<{ image: string; docker: { dockerfile: string; buildArgs?: Record<string, string> } }>;
    };
  };

  it('waits up to 10 minutes for the rollout and tolerates failures until then', () => {
    // tolerateFailuresUntilDeadline exists from schema v4beta1 (skaffold v2.0.2).
    expect(Number(/^skaffold\/v4beta(\d+)$/.exec(skaffold.apiVersion)?.[1])).toBeGreaterThanOrEqual(1);
    expect(skaffold.deploy.statusCheckDeadlineSeconds).toBeGreaterThanOrEqual(600);
    expect(skaffold.deploy.tolerateFailuresUntilDeadline).toBe(true);
  });

  it('waits longer than any pod’s startup probe allows', () => {
    const deadline = skaffold.deploy.statusCheckDeadlineSeconds ?? 0;
    for (const service of SERVICES) {
      const probe = onlyContainer(find<Workload>(render('overlays/development'), 'Deployment', service))
        .startupProbe as StartupProbe;
      expect([service, budget(probe) < deadline]).toEqual([service, true]);
    }
  });

  it('builds the three services from one Dockerfile, each naming itself in SERVICE', () => {
    const services = skaffold.build.artifacts.filter((a) => a.docker.dockerfile === SERVICES_DOCKERFILE);
    expect(services.map((a) => [a.image, a.docker.buildArgs])).toEqual(
      SERVICES.map((service) => [`ticketing/${service}`, { SERVICE: service }]),
    );
    for (const service of SERVICES) expect(existsSync(join(ROOT, service, 'Dockerfile'))).toBe(false);
  });
});

type StartupProbe = NonNullable<Container['startupProbe']> & {
  initialDelaySeconds?: number;
  failureThreshold?: number;
};

/** How long a startup probe lets a container take before the kubelet restarts it, in seconds. */
function budget(probe: StartupProbe): number {
  return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
}

function onlyContainer(workload: Workload): Container {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0] as Container;
}

describe.each(RENDERED_DIRS)('probes in infra/k8s/%s', (dir) => {
  it.each(SERVICES)(
    '%s: /livez for liveness, /readyz for readiness, a startup probe for a cold start',
    (service) => {
      const container = onlyContainer(find<Workload>(render(dir), 'Deployment', service));
      expect(container.livenessProbe?.httpGet?.path).toBe('/livez');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      const startup = container.startupProbe as StartupProbe;
      expect(startup.httpGet?.path).toBe('/livez');
      // Pulling images, initdb and a JetStream election on a fresh cluster: minutes, not seconds.
      expect(budget(startup)).toBeGreaterThanOrEqual(300);
    },
  );

  it('NATS: startup on the full /healthz (caught up), as the official helm chart probes', () => {
    // By name: an overlay may add a sidecar (a metrics exporter) beside the server.
    const nats = find<Workload>(render(dir), 'StatefulSet', 'nats').spec.template.spec.containers.find(
      (container) => container.name === 'nats',
    ) as Container;
    expect(nats.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(nats.livenessProbe?.httpGet?.path).toBe('/healthz?js-enabled-only=true');
    expect(nats.readinessProbe?.httpGet?.path).toBe('/healthz?js-server-only=true');
    for (const probe of [nats.startupProbe, nats.livenessProbe, nats.readinessProbe]) {
      expect(probe?.httpGet?.port).toBe('monitor');
    }
    // A restarted server may have a lot to catch up on: the chart's 15 minutes.
    expect(budget(nats.startupProbe as StartupProbe)).toBeGreaterThanOrEqual(900);
  });
});

describe('the services, written once', () => {
  const BASE = join(K8S, 'base');

  it('gives each service one directory holding one kustomization that names it and uses the component', () => {
    for (const service of SERVICES) {
      expect([service, readdirSync(join(BASE, service))]).toEqual([service, ['kustomization.yaml']]);
      const kustomization = parseYaml(readFileSync(join(BASE, service, 'kustomization.yaml'), 'utf8')) as {
        components: string[];
        configMapGenerator: Array<{ name: string; literals: string[] }>;
      };
      expect(kustomization.components).toEqual(['../service']);
      const values = kustomization.configMapGenerator.find((generator) => generator.name === 'service');
      expect(values?.literals).toEqual([`name=${service}`]);
    }
    const base = parseYaml(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(base.resources).toEqual(expect.arrayContaining([...SERVICES]));
  });

  it.each(RENDERED_DIRS)('leaves no placeholder and no local ConfigMap in infra/k8s/%s', (dir) => {
    const text = JSON.stringify(render(dir));
    expect(text).not.toMatch(/SERVICE(?!_)/);
    expect(text).not.toContain('config.kubernetes.io/local-config');
    const configMaps = byKind(render(dir), 'ConfigMap').map((c) =>
      c.metadata.name.replace(/-[a-z0-9]{10}$/, ''),
    );
    expect(configMaps.sort()).toEqual(
      ['client-config', 'nats-config', 'ticketing-config', ...SERVICES.map((s) => `${s}-config`)].sort(),
    );
  });

  it.each(SERVICES)('names every object of %s after it, as the copies did', (service) => {
    const objects = render('base');
    const deployment = find<Workload>(objects, 'Deployment', service);
    const labels = { 'app.kubernetes.io/name': service, 'app.kubernetes.io/part-of': 'ticketing' };
    expect(deployment.metadata.labels).toEqual(labels);
    expect(deployment.spec.template.metadata.labels).toEqual(labels);
    const container = onlyContainer(deployment);
    expect([container.name, container.image]).toEqual([service, `ticketing/${service}`]);
    const postgres = find<Workload>(objects, 'StatefulSet', `${service}-postgres`);
    expect(postgres.spec.serviceName).toBe(`${service}-postgres`);
    const database = onlyContainer(postgres);
    for (const probe of [database.startupProbe, database.livenessProbe, database.readinessProbe]) {
      expect(probe?.exec?.command).toEqual([
        'pg_isready',
        '-h',
        '127.0.0.1',
        '-U',
        'ticketing',
        '-d',
        service,
      ]);
    }
    expect(find(objects, 'Service', service).metadata.labels).toEqual(labels);
    expect(find(objects, 'Service', `${service}-postgres`).metadata.labels).toMatchObject({
      'app.kubernetes.io/name': `${service}-postgres`,
    });
  });
});

describe(`${SERVICES_DOCKERFILE}`, () => {
  it('takes the service from the SERVICE build argument in both stages, and runs its build output', () => {
    const text = readFileSync(join(ROOT, SERVICES_DOCKERFILE), 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage).toMatch(/^ARG SERVICE$/m);
    for (const service of SERVICES) {
      expect(dockerfileCmd(service)).toEqual(['node', `${service}/dist/index.js`]);
      const runs = dockerfileInstructions(service)
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args);
      expect(runs).toContain(`npx tsc -b packages/contracts packages/bus packages/service ${service}`);
    }
  });
});
