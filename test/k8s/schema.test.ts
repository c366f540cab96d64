import {
  modelClassFor,
  RENDERED_DIRS,
  render,
  secretTemplates,
  validateManifest,
  type K8sObject,
} from './manifests';

describe('the Kubernetes manifests, against the Kubernetes API schemas (kubernetes-models)', () => {
  it.each(RENDERED_DIRS)('every object kubectl kustomize renders from infra/k8s/%s is valid', (dir) => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const object of objects) {
      try {
        validateManifest(object);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(RENDERED_DIRS)('infra/k8s/%s renders each kind/name once', (dir) => {
    const names = render(dir).map((object) => `${object.kind}/${object.metadata.name}`);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('every Secret template is a valid Secret', () => {
    const templates = secretTemplates();
    expect(templates.length).toBeGreaterThan(0);
    for (const template of templates) {
      expect(template.kind).toBe('Secret');
      validateManifest(template);
    }
  });

  it('fails an object that breaks the schema', () => {
    const broken: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: { replicas: 'three', selector: {}, template: {} },
    };
    expect(() => validateManifest(broken)).toThrow(/broken/);
  });

  it('fails a kind it has no model for', () => {
    expect(() => modelClassFor({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow(
      /unknown apiVersion example.com\/v1/,
    );
    expect(() => modelClassFor({ apiVersion: 'apps/v1', kind: 'Widget' })).toThrow(/unknown kind Widget/);
    expect(() => modelClassFor({ apiVersion: 'v1', kind: 'Deployment' })).toThrow(/unknown kind/);
  });
});
