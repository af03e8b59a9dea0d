import { Chart, Testing } from 'cdk8s';
import { ArgoCdApplicationSet, ArgoCdSyncMode, BlueGreenRollout, CanaryRollout, CanaryStep, IstioTrafficSplit } from '../src';
import { constructionError, find, schemas } from './support/synth';

const base = { repoUrl: 'https://github.com/example/platform' };

function service(app: any, name: string, environment: string): Chart {
  const chart = new Chart(app, `${name}-${environment}`, { namespace: environment });
  new CanaryRollout(chart, name, {
    metadata: { name },
    containers: [{ image: `registry.example.com/${name}:1.0.0`, portNumber: 8080 }],
    trafficSplit: new IstioTrafficSplit(chart, 'traffic'),
    steps: [CanaryStep.weight(30)],
  });
  return chart;
}

function synthSet(props: any): any {
  const app = Testing.app();
  const charts = ['dev', 'staging', 'prod'].flatMap((env) => ['billing', 'myapp'].map((name) => ({ name, env, chart: service(app, name, env) })));
  const delivery = new Chart(app, 'argocd');
  new ArgoCdApplicationSet(delivery, 'services', {
    ...base,
    metadata: { name: 'services' },
    folders: charts.map((c) => ({ service: c.name, environment: c.env, path: `dist/services/${c.name}/${c.env}`, namespace: c.env, syncs: [c.chart] })),
    ...props,
  });
  const set = find(Testing.synth(delivery), 'ApplicationSet');
  expect(schemas.errors(set)).toEqual([]);
  return set;
}

describe('ArgoCdApplicationSet', () => {
  test('list generator over the folders, RollingSync dev → staging → prod, each element carrying its own ignoreDifferences', () => {
    const set = synthSet({ maxUpdate: 2 });
    const elements = set.spec.generators[0].list.elements;
    expect(elements).toHaveLength(6);
    const billingProd = elements.find((e: any) => e.service === 'billing' && e.environment === 'prod');
    expect(billingProd.path).toBe('dist/services/billing/prod');
    expect(billingProd.ignoreDifferences.map((d: any) => `${d.kind}/${d.namespace}/${d.name}`)).toEqual([
      'Service/prod/billing-canary', 'Service/prod/billing-stable', 'VirtualService/prod/billing',
    ]);
    expect(set.spec.strategy).toEqual({
      type: 'RollingSync',
      rollingSync: {
        steps: ['dev', 'staging', 'prod'].map((env) => ({ matchExpressions: [{ key: 'environment', operator: 'In', values: [env] }], maxUpdate: 2 })),
      },
    });
    expect(set.spec.template.metadata).toEqual({ name: '{{.service}}-{{.environment}}', labels: { service: '{{.service}}', environment: '{{.environment}}' } });
    expect(set.spec.template.spec.source).toEqual({ repoURL: base.repoUrl, path: '{{.path}}', targetRevision: 'HEAD' });
    expect(set.spec.template.spec.syncPolicy.syncOptions).toEqual(['ApplyOutOfSyncOnly=true']);
    expect(set.spec.templatePatch).toContain('  ignoreDifferences: {{ toJson .ignoreDifferences }}\n');
    expect(billingProd.include).toBe('');
    expect(set.spec.goTemplate).toBe(true);
  });

  test('environments on several clusters: a matrix with a cluster generator selected by the environment label', () => {
    const set = synthSet({ clusterEnvironmentLabel: 'environment', environments: ['dev', 'staging', 'prod'] });
    const matrix = set.spec.generators[0].matrix.generators;
    expect(matrix[1]).toEqual({ clusters: { selector: { matchLabels: { environment: '{{.environment}}' } } } });
    expect(set.spec.template.metadata.name).toBe('{{.service}}-{{.environment}}-{{.name}}');
    expect(set.spec.template.spec.destination).toEqual({ server: '{{.server}}', namespace: '{{.namespace}}' });
  });

  test.each([
    [{ folders: [] }, 'folders: spec.generators[0].list.elements: no folders'],
    [{ folders: [{ service: 'Billing', environment: 'prod', path: 'dist/b', namespace: 'prod' }] }, 'folders[0].service: metadata.labels.service: Invalid value: "Billing"'],
    [{ folders: [{ service: 'b', environment: 'prod', path: '../b', namespace: 'prod' }] }, 'folders[0].path: spec.template.spec.source.path: Invalid value: "../b"'],
    [{ folders: [{ service: 'b', environment: 'prod', path: 'b', namespace: 'prod' }, { service: 'b', environment: 'prod', path: 'c', namespace: 'prod' }] }, 'folders[1]: spec.generators[0].list.elements: service "b" in environment "prod" is listed twice'],
    [{ folders: [{ service: 'b', environment: 'qa', path: 'b', namespace: 'qa' }], environments: ['dev'] }, 'environments: spec.strategy.rollingSync.steps: environments qa have folders but no RollingSync step'],
    [{ folders: [{ service: 'b', environment: 'qa', path: 'b', namespace: 'qa' }], maxUpdate: 0 }, 'maxUpdate: spec.strategy.rollingSync.steps[].maxUpdate: Invalid value: 0'],
  ])('invalid %p', (props, message) => {
    const error = constructionError(() => new ArgoCdApplicationSet(new Chart(Testing.app(), 'argocd'), 'set', { ...base, ...(props as any) }));
    expect(error).toContain(`[argocd/set] ${message}`);
  });

  test('syncMode: the user\'s options, then the mode\'s; RESPECT_IGNORE_DIFFERENCES refused while a folder\'s ignores have a path inside a list', () => {
    expect(synthSet({ syncOptions: ['CreateNamespace=true'] }).spec.template.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ApplyOutOfSyncOnly=true']);
    expect(() => synthSet({ syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES })).toThrow(
      /\[argocd\/services\] syncMode: spec\.syncPolicy\.syncOptions: RespectIgnoreDifferences=true with the ignored path \.spec\.http\[\]\? \| select\(\.name == "primary"\) \| \.route\[\]\?\.weight of VirtualService billing, inside a list: .*\(allowed: ArgoCdSyncMode\.APPLY_OUT_OF_SYNC_ONLY/,
    );
    const app = Testing.app();
    const chart = new Chart(app, 'web-prod', { namespace: 'prod' });
    new BlueGreenRollout(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 8080 }] });
    const delivery = new Chart(app, 'argocd');
    new ArgoCdApplicationSet(delivery, 'services', {
      ...base,
      syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES,
      folders: [{ service: 'web', environment: 'prod', path: 'dist/web/prod', namespace: 'prod', syncs: [chart] }],
    });
    const set = find(Testing.synth(delivery), 'ApplicationSet');
    expect(schemas.errors(set)).toEqual([]);
    expect(set.spec.template.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    expect(set.spec.generators[0].list.elements[0].ignoreDifferences.map((d: any) => d.kind)).toEqual(['Service', 'Service']);
  });
});
