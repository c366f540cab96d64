import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');
export const K8S = join(ROOT, 'infra', 'k8s');
/** The back-end services: each with its PostgreSQL, on NATS, configured by @ticketing/service's zod schema. */
export const SERVICES = ['orders', 'payments', 'expiration'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The web client: static files and a small server, no database, no NATS. */
export const CLIENT = 'client';
/** Every Deployment, each built as the image `ticketing/<name>` (see dockerfileOf). */
export const DEPLOYMENTS = [...SERVICES, CLIENT] as const;
export type DeploymentName = (typeof DEPLOYMENTS)[number];
export const RENDERED_DIRS = ['base', 'overlays/development', 'overlays/production'] as const;

/** A Kubernetes object as parsed from YAML: only the fields the checks read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}

export interface Workload extends K8sObject {
  spec: { replicas?: number; serviceName?: string; template: PodTemplate };
}

export interface ServiceObject extends K8sObject {
  spec: {
    selector: Record<string, string>;
    clusterIP?: string;
    ports: Array<{ name?: string; port: number; targetPort?: string | number }>;
  };
}

export interface IngressObject extends K8sObject {
  metadata: K8sObject['metadata'] & { annotations?: Record<string, string> };
  spec: {
    ingressClassName?: string;
    rules: Array<{
      host?: string;
      http: {
        paths: Array<{
          path: string;
          pathType: string;
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }>;
      };
    }>;
  };
}

/** kubectl from PATH; the test fails, naming the package to install, when it is missing. */
export function findKubectl(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    'kubectl was not found on PATH. It renders the kustomizations: install the Debian package ' +
      '`kubernetes-client` (apt-get install kubernetes-client) or any kubectl >= 1.14.',
  );
}

export function parseYamlDocuments(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) {
        throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`);
      }
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

const rendered = new Map<string, K8sObject[]>();

/** `kubectl kustomize infra/k8s/<dir>`, parsed; cached per test file. */
export function render(dir: string): K8sObject[] {
  const cached = rendered.get(dir);
  if (cached) return cached;
  const output = execFileSync(findKubectl(), ['kustomize', join(K8S, dir)], {
    encoding: 'utf8',
    // Deprecation warnings of newer kustomize versions (bases, patchesStrategicMerge) go to stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const objects = parseYamlDocuments(output, `kubectl kustomize ${dir}`);
  rendered.set(dir, objects);
  return objects;
}

/** The Secret templates under infra/k8s/secrets (never part of a kustomization). */
export function secretTemplates(): K8sObject[] {
  const dir = join(K8S, 'secrets');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.example.yaml'))
    .flatMap((file) => parseYamlDocuments(readFileSync(join(dir, file), 'utf8'), file));
}

export function byKind<T extends K8sObject>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

export function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = byKind<T>(objects, kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
}

/** Whether every label of the selector is on the pod. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return (
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value)
  );
}

const loadModule = createRequire(__filename);

/**
 * The packages with the models of the custom resources the production overlay renders (issue 16):
 * ServiceMonitors of the Prometheus operator, cert-manager's Issuers and Certificates.
 */
const CUSTOM_RESOURCE_MODELS: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'cert-manager.io': '@kubernetes-models/cert-manager',
};

/**
 * The kubernetes-models class of a manifest's apiVersion/kind (`apps/v1` Deployment ->
 * `require('kubernetes-models/apps/v1').Deployment`); throws for a kind it does not know.
 */
export function modelClassFor(object: Pick<K8sObject, 'apiVersion' | 'kind'>): new (data: unknown) => {
  validate(): void;
} {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new Error(`a manifest without apiVersion/kind: ${JSON.stringify(object).slice(0, 200)}`);
  }
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const modulePath = `${CUSTOM_RESOURCE_MODELS[group as string] ?? 'kubernetes-models'}/${apiVersion}`;
  let exported: Record<string, unknown>;
  try {
    exported = loadModule(modulePath) as Record<string, unknown>;
  } catch {
    throw new Error(`unknown apiVersion ${apiVersion} (no module ${modulePath}) for kind ${kind}`);
  }
  const model = exported[kind];
  const meta = model as { apiVersion?: string; kind?: string } | undefined;
  if (typeof model !== 'function' || meta?.kind !== kind || meta?.apiVersion !== apiVersion) {
    throw new Error(`unknown kind ${kind} in ${apiVersion}`);
  }
  return model as unknown as new (data: unknown) => { validate(): void };
}

/** Validates one manifest against the Kubernetes API schema; throws naming it and the problems. */
export function validateManifest(object: K8sObject): void {
  const Model = modelClassFor(object);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata?.name}: ${(error as Error).message}`, { cause: error });
  }
}

/** The one Dockerfile of the back-end services, built with `--build-arg SERVICE=<service>`. */
export const SERVICES_DOCKERFILE = 'services.Dockerfile';

/** The Dockerfile an image is built from: the services' shared one, or the client's own. */
export function dockerfileOf(image: DeploymentName): string {
  return image === CLIENT ? `${CLIENT}/Dockerfile` : SERVICES_DOCKERFILE;
}

/**
 * The Dockerfile's instructions, continuation lines joined and comments dropped; for a service, with its name
 * for the SERVICE build argument (`${SERVICE}` and `$SERVICE` replaced).
 */
export function dockerfileInstructions(image: DeploymentName): Array<{ keyword: string; args: string }> {
  const text = readFileSync(join(ROOT, dockerfileOf(image)), 'utf8');
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => (image === CLIENT ? line : line.replace(/\$\{SERVICE\}|\$SERVICE\b/g, image)));
  return lines.map((line) => {
    const match = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    return { keyword: (match[1] as string).toUpperCase(), args: match[2] as string };
  });
}

/**
 * The exec-form CMD of the Dockerfile's last stage, with its script relative to the repository root (the
 * image's /app) whatever the final WORKDIR, e.g. ['node', 'orders/dist/index.js'].
 */
export function dockerfileCmd(image: DeploymentName): string[] {
  const instructions = dockerfileInstructions(image);
  const last = instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1);
  if (!last) throw new Error(`${dockerfileOf(image)} has no CMD`);
  const workdir = instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args ?? '/';
  const [command, script, ...rest] = JSON.parse(last.args) as string[];
  if (!workdir.startsWith('/app') || script === undefined) {
    throw new Error(`${dockerfileOf(image)}: CMD ${last.args} in ${workdir}, not a script under /app`);
  }
  const relative = posix.relative('/app', posix.resolve(workdir, script));
  return [command as string, relative, ...rest];
}
