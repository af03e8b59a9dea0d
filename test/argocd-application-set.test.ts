import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ArgoCdApplicationSet, ArgoCdSyncMode, BlueGreenRollout, CanaryRollout, CanaryStep, IstioTrafficSplit } from '../src';
import { constructionError, find, schemas } from './support/synth';
import { buildApp } from '../examples/seed-004-fleet/main';

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

/** An element's ignoreDifferences as the templatePatch renders them (the `argocd-diff appset` test runs Argo CD's own Render). */
function rendered(set: any, element: any): any[] {
  const line = set.spec.templatePatch.split('\n').find((_: string, i: number, all: string[]) => all[i - 1]?.includes(`eq .ignoreShape "${element.ignoreShape}"`));
  const json = line.replace('  ignoreDifferences: ', '').replace(/\{\{ index \.ignoreValues (\d+) \}\}/g, (_: string, i: string) => element.ignoreValues[Number(i)]);
  return JSON.parse(json);
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
    expect(rendered(set, billingProd).map((d: any) => `${d.kind}/${d.namespace}/${d.name}`)).toEqual([
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
    // Folders of the same structure share one shape: the elements carry only their names and namespace.
    expect(new Set(elements.map((e: any) => e.ignoreShape))).toEqual(new Set(['0']));
    expect(billingProd.ignoreValues).toEqual(['billing-canary', 'prod', 'billing-stable', 'billing']);
    expect(billingProd.include).toBe('');
    expect(set.spec.goTemplate).toBe(true);
  });

  test('the ApplicationSet stays small at fleet scale: one shape for the fleet, a few hundred bytes per folder (etcd refuses objects over 1.5 MiB)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-size-'));
    const services = 20;
    const app = buildApp(dir, services);
    const set = (app.node.findAll().find((c) => c instanceof ArgoCdApplicationSet) as ArgoCdApplicationSet).apiObject.toJson();
    fs.rmSync(dir, { recursive: true, force: true });
    const elements = set.spec.generators[0].list.elements;
    expect(new Set(elements.map((e: any) => e.ignoreShape)).size).toBe(1);
    const perElement = Math.max(...elements.map((e: any) => JSON.stringify(e).length));
    expect(perElement).toBeLessThan(250);
    // 1000 services × 3 environments, the fleet benchmark's size.
    expect(JSON.stringify(set).length + (3000 - elements.length) * perElement).toBeLessThan(1.5 * 1024 * 1024);
    const first = elements[0];
    expect(rendered(set, first).map((d: any) => `${d.kind}/${d.namespace}/${d.name}`)).toEqual([
      `Service/${first.environment}/${first.service}`, `Service/${first.environment}/${first.service}-canary`, `HTTPRoute/${first.environment}/${first.service}`,
    ]);
  });

  test('environments on several clusters: a matrix with a cluster generator selected by the environment label', () => {
    const set = synthSet({ clusterEnvironmentLabel: 'environment', environments: ['dev', 'staging', 'prod'] });
    const matrix = set.spec.generators[0].matrix.generators;
    expect(matrix[1]).toEqual({ clusters: { selector: { matchLabels: { environment: '{{.environment}}' } } } });
    expect(set.spec.template.metadata.name).toBe('{{.service}}-{{.environment}}-{{.nameNormalized}}');
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
    expect(rendered(set, set.spec.generators[0].list.elements[0]).map((d: any) => d.kind)).toEqual(['Service', 'Service']);
  });
});
