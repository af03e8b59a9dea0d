import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph, IResolver, JsonPatch, Lazy, ResolutionContext, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { CanaryRollout } from '../src/rollout';
import { ProgressiveApp } from '../src/synth';
import { schemas } from './support/synth';
import { dependencyOrder, synthesizeApp } from '../src/synth/app-synthesis';

const tmpdirs: string[] = [];
function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
  tmpdirs.push(dir);
  return dir;
}
afterAll(() => tmpdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Every file (with its content) and folder (`null`) under `dir`, by relative path. */
function readTree(dir: string): Record<string, string | null> {
  const tree: Record<string, string | null> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        tree[p] = null;
        walk(p);
      } else {
        tree[p] = fs.readFileSync(path.join(dir, p), 'utf8');
      }
    }
  };
  walk('');
  return tree;
}

/**
 * A many-chart app: a platform chart with a nested chart, an empty chart, and service charts
 * (Deployment, Service, Ingress, ConfigMap) some of which depend on the platform chart, directly
 * or through a construct dependency, with an object dependency inside each chart, a JSON patch,
 * a lazy value, hashed and unhashed names, and scalars YAML must quote.
 */
function addGeneratedCharts(app: App, services = 12): void {
  const platform = new Chart(app, 'platform', { namespace: 'platform', labels: { team: 'platform' } });
  const settings = new kplus.ConfigMap(platform, 'settings', {
    metadata: { name: 'shared' },
    data: { 'log-level': 'info', 'enabled': 'true', 'port': '8080', 'empty': '', 'banner': 'line one\nline two\n', 'yes': 'no' },
  });
  const nested = new Chart(platform, 'nested', { namespace: 'nested' });
  new kplus.ConfigMap(nested, 'settings', { metadata: { name: 'shared' }, data: { source: 'nested chart' } });
  new Chart(app, 'empty');

  for (let i = 0; i < services; i++) {
    const name = `svc-${i.toString().padStart(4, '0')}`;
    const chart = new Chart(app, name, { namespace: `services-${i % 2}`, disableResourceNameHashes: i % 2 === 0 });
    const deployment = new kplus.Deployment(chart, 'deployment', {
      replicas: 1 + (i % 3),
      containers: [{ image: `registry.example.com/${name}:1.0.${i}`, portNumber: 8080 }],
    });
    const service = deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const ingress = new kplus.Ingress(chart, 'ingress', {
      rules: [{ host: `${name}.example.com`, backend: kplus.IngressBackend.fromService(service) }],
    });
    new ApiObject(chart, 'lazy', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: Lazy.any({ produce: () => ({ service: name, index: String(i), debug: i % 2 === 0 ? 'true' : 'false' }) }),
    });
    // defined last, rendered first: the Deployment depends on it
    const config = new kplus.ConfigMap(chart, 'config', { data: { service: name } });
    deployment.node.addDependency(config);
    if (i % 3 === 0) chart.addDependency(platform);
    if (i % 4 === 1) ingress.node.addDependency(settings);
    if (i === 5) ApiObject.of(service).addJsonPatch(JsonPatch.replace('/metadata/name', `renamed-${name}`));
  }
}

/** Charts that do not depend on each other. */
function addIndependentCharts(app: App, services = 5): void {
  for (let i = 0; i < services; i++) {
    const chart = new Chart(app, `svc-${i}`, { namespace: 'services' });
    new kplus.Deployment(chart, 'deployment', { containers: [{ image: 'web:1', portNumber: 8080 }] }).exposeViaService();
  }
}

/** Synthesises the same app with `App` and with `ProgressiveApp`; returns both trees and our outdir. */
function synthBoth(build: (app: App) => void, props: AppProps = {}) {
  const expectedDir = tmpdir();
  const actualDir = tmpdir();
  const expected = new App({ ...props, outdir: expectedDir });
  build(expected);
  expected.synth();
  const actual = new ProgressiveApp({ ...props, outdir: actualDir });
  build(actual);
  actual.synth();
  return { expected: readTree(expectedDir), actual: readTree(actualDir), outdir: actualDir };
}

function errorOf(fn: () => void): string {
  try {
    fn();
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected an error, got none');
}

describe('ProgressiveApp writes what App.synth() writes, byte for byte', () => {
  test('FILE_PER_CHART, charts depending on each other: indexed names in dependency order', () => {
    const { expected, actual, outdir } = synthBoth(addGeneratedCharts);
    expect(actual).toEqual(expected);

    const files = Object.keys(actual).sort();
    expect(files).toHaveLength(3 + 12);
    expect(files.every((f) => /^\d{4}-[a-z0-9-]+\.k8s\.yaml$/.test(f))).toBe(true);
    const index = (chart: string) => files.findIndex((f) => new RegExp(`^\\d{4}-${chart}(-[0-9a-f]{8})?\\.k8s\\.yaml$`).test(f));
    expect(index('platform-nested')).toBeGreaterThanOrEqual(0);
    expect(index('platform-nested')).toBeLessThan(index('platform'));
    expect(index('platform')).toBeLessThan(index('svc-0000'));
    expect(index('platform')).toBeLessThan(index('svc-0001'));
    expect(actual[files[index('empty')]]).toBe('');

    const svc = Yaml.load(path.join(outdir, files[index('svc-0000')]));
    expect(svc.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/svc-0000-config', 'Deployment/svc-0000-deployment', 'Service/svc-0000-deployment-service', 'Ingress/svc-0000-ingress',
      'ConfigMap/svc-0000-lazy',
    ]);
    expect(svc[4].data).toEqual({ debug: 'true', index: '0', service: 'svc-0000' });
  });

  test('FILE_PER_CHART, independent charts: plain chart names', () => {
    const { expected, actual } = synthBoth(addIndependentCharts);
    expect(actual).toEqual(expected);
    expect(Object.keys(actual).sort()).toEqual(['svc-0.k8s.yaml', 'svc-1.k8s.yaml', 'svc-2.k8s.yaml', 'svc-3.k8s.yaml', 'svc-4.k8s.yaml']);
  });

  test('FILE_PER_APP: one app file, every object valid against its schema', () => {
    const { expected, actual, outdir } = synthBoth(addGeneratedCharts, { yamlOutputType: YamlOutputType.FILE_PER_APP });
    expect(actual).toEqual(expected);
    expect(Object.keys(actual)).toEqual(['app.k8s.yaml']);
    const objects = Yaml.load(path.join(outdir, 'app.k8s.yaml'));
    expect(objects).toHaveLength(2 + 12 * 5);
    expect(objects.flatMap((o) => schemas.errors(o))).toEqual([]);
    expect(objects.find((o) => o.metadata.name === 'shared' && o.metadata.namespace === 'platform').data)
      .toEqual({ 'banner': 'line one\nline two\n', 'empty': '', 'enabled': 'true', 'log-level': 'info', 'port': '8080', 'yes': 'no' });
  });

  test('FILE_PER_RESOURCE: files named after the rendered object (JSON patch included); the later of two same names wins', () => {
    const { expected, actual } = synthBoth(addGeneratedCharts, { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    expect(actual).toEqual(expected);
    expect(Object.keys(actual)).toContain('Service.renamed-svc-0005.k8s.yaml');
    expect(actual['ConfigMap.shared.k8s.yaml']).toContain('namespace: platform');
    expect(Object.keys(actual)).toHaveLength(1 + 12 * 5);
  });

  test('FOLDER_PER_CHART_FILE_PER_RESOURCE: a folder per chart (even empty), files named after the ApiObject', () => {
    const { expected, actual } = synthBoth(addGeneratedCharts, { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    expect(actual).toEqual(expected);
    const folders = Object.keys(actual).filter((p) => actual[p] === null);
    expect(folders).toHaveLength(15);
    expect(folders.find((f) => f.endsWith('-empty'))).toBeDefined();
    expect(Object.keys(actual).find((p) => /-svc-0005\/Service\.svc-0005-deployment-service-c[0-9a-f]+\.k8s\.yaml$/.test(p))).toBeDefined();
  });

  test('output file extension, resolvers and construct metadata', () => {
    const upperCaseTeam: IResolver = {
      resolve: (context: ResolutionContext) => {
        if (context.value === 'platform' && context.key.includes('labels')) context.replaceValue('PLATFORM');
      },
    };
    const { expected, actual } = synthBoth(addGeneratedCharts, { outputFileExtension: '.yml', resolvers: [upperCaseTeam], recordConstructMetadata: true });
    expect(actual).toEqual(expected);
    const platformFile = Object.keys(actual).find((f) => f.endsWith('-platform.yml'))!;
    expect(actual[platformFile]).toContain('team: PLATFORM');
    const metadata = JSON.parse(actual['construct-metadata.json']!);
    expect(metadata.resources['svc-0000-deployment']).toEqual({ path: 'svc-0000/deployment/Resource' });
  });

  test('construct metadata requested through CDK8S_RECORD_CONSTRUCT_METADATA', () => {
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      const { expected, actual } = synthBoth(addIndependentCharts);
      expect(actual).toEqual(expected);
      expect(Object.keys(actual)).toContain('construct-metadata.json');
    } finally {
      delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    }
  });

  test('synthYaml() returns the same string', () => {
    const expected = new App();
    addGeneratedCharts(expected);
    const actual = new ProgressiveApp();
    addGeneratedCharts(actual);
    const yaml = actual.synthYaml();
    expect(yaml).toBe(expected.synthYaml());
    expect(yaml.split('---\n')).toHaveLength(2 + 12 * 5);
  });

  const examplesDir = path.join(__dirname, '..', 'examples');
  const examples = fs.readdirSync(examplesDir).filter((e) => fs.existsSync(path.join(examplesDir, e, 'main.ts')));
  test.each(examples)('example %s (whichever App class it builds)', (example) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require(path.join(examplesDir, example, 'main.ts'));
    const expectedDir = tmpdir();
    const actualDir = tmpdir();
    // The fleet example takes its size as a second argument (the others ignore it): cdk8s's own
    // App.synth() is quadratic in the number of charts, so 10 services (30 charts) here.
    App.prototype.synth.call(buildApp(expectedDir, 10)); // cdk8s's own synthesis, whatever the class
    const app: App = buildApp(actualDir, 10);
    if (app instanceof ProgressiveApp) app.synth();
    else synthesizeApp(app, false);
    const actual = readTree(actualDir);
    expect(actual).toEqual(readTree(expectedDir));
    expect(Object.keys(actual).length).toBeGreaterThan(0);
  });
});

describe('dependency order', () => {
  const paths = (constructs: IConstruct[]) => constructs.map((c) => c.node.path);
  const cdk8sOrder = (scope: IConstruct) => paths(new DependencyGraph(scope.node).topology());
  const ourOrder = (scope: IConstruct) => paths(dependencyOrder(scope));

  test('is DependencyGraph.topology() for every chart and the whole generated app', () => {
    const app = new App();
    addGeneratedCharts(app);
    Chart.of(app.node.findChild('svc-0000')).node.addDependency(app.node.findChild('svc-0001'));
    const compare = () => [app, ...app.charts].forEach((scope) => expect(ourOrder(scope)).toEqual(cdk8sOrder(scope)));
    compare();
    app.synthYaml(); // resolves dependencies: construct dependencies become API object dependencies
    compare();
    const order = ourOrder(app.node.findChild('svc-0000'));
    expect(order.indexOf('svc-0000/config/Resource')).toBeLessThan(order.indexOf('svc-0000/deployment/Resource'));
  });

  test('is DependencyGraph.topology() on 50 random nested DAGs with diamonds', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let g = 0; g < 50; g++) {
      const chart = new Chart(new App(), 'dag');
      const nodes: IConstruct[] = [chart];
      for (let i = 0; i < 40; i++) nodes.push(new Construct(nodes[random(nodes.length)], `n${i}`));
      for (let e = 0; e < 60; e++) {
        const a = 1 + random(nodes.length - 1);
        const b = 1 + random(nodes.length - 1);
        if (a !== b) nodes[Math.max(a, b)].node.addDependency(nodes[Math.min(a, b)]); // later → earlier: acyclic
      }
      expect(ourOrder(chart)).toEqual(cdk8sOrder(chart));
    }
  });
});

describe('validation', () => {
  /** Errors in two charts: plain construct validations and a Rollout rule broken through a JSON patch. */
  function addBrokenCharts(app: App) {
    addGeneratedCharts(app, 3);
    Chart.of(app.node.findChild('svc-0001')).node.addValidation({ validate: () => ['first problem', 'second problem'] });
    const chart = new Chart(app, 'rollouts', { namespace: 'rollouts' });
    const rollout = new CanaryRollout(chart, 'portal', { containers: [{ image: 'portal:1', portNumber: 8080 }] });
    ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers', []));
  }

  test('every error is reported as App.synth() reports it, and nothing is written, not even the outdir', () => {
    const cdk8sApp = new App({ outdir: tmpdir() });
    addBrokenCharts(cdk8sApp);
    const outdir = path.join(tmpdir(), 'dist');
    const app = new ProgressiveApp({ outdir });
    addBrokenCharts(app);

    const message = errorOf(() => app.synth());
    expect(message).toBe(errorOf(() => cdk8sApp.synth()));
    expect(message.split('\n')).toEqual([
      'Validation failed with the following errors:',
      '  [svc-0001] first problem',
      '  [svc-0001] second problem',
      expect.stringMatching(/^ {2}\[rollouts\/portal\] containers: spec\.template\.spec\.containers: Required value/),
    ]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('synthYaml() reports the same errors', () => {
    const cdk8sApp = new App();
    addBrokenCharts(cdk8sApp);
    const app = new ProgressiveApp();
    addBrokenCharts(app);
    expect(errorOf(() => app.synthYaml())).toBe(errorOf(() => cdk8sApp.synthYaml()));
  });

  test('a dependency cycle between charts is reported as App.synth() reports it, before anything is written', () => {
    const addCycle = (app: App) => {
      const a = new Chart(app, 'a');
      const b = new Chart(app, 'b');
      new kplus.ConfigMap(a, 'config');
      new kplus.ConfigMap(b, 'config');
      a.addDependency(b);
      b.addDependency(a);
    };
    const cdk8sApp = new App({ outdir: tmpdir() });
    addCycle(cdk8sApp);
    const outdir = path.join(tmpdir(), 'dist');
    const app = new ProgressiveApp({ outdir });
    addCycle(app);
    const message = errorOf(() => app.synth());
    expect(message).toBe(errorOf(() => cdk8sApp.synth()));
    expect(message).toMatch(/^Dependency cycle detected: /);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('validates each construct once (App.synth() validates the whole app once more per chart)', () => {
    const count = (app: App) => {
      let calls = 0;
      addIndependentCharts(app, 10);
      app.node.findAll().filter(Chart.isChart).forEach((c) => c.node.addValidation({ validate: () => (calls++, []) }));
      app.synth();
      return calls;
    };
    expect(count(new ProgressiveApp({ outdir: tmpdir() }))).toBe(10);
    expect(count(new App({ outdir: tmpdir() }))).toBe(10 * 11);
  });
});

describe('each object rendered once', () => {
  const examplesDir = path.join(__dirname, '..', 'examples');

  test('validations and writing share one frozen render per API object; toJson() is itself again after synth', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require(path.join(examplesDir, 'seed-000-aragora', 'main.ts'));
    const app: App = buildApp(tmpdir());
    const objects = app.node.findAll().filter(ApiObject.isApiObject);
    const renders = new Map<ApiObject, number>();
    const original = ApiObject.prototype.toJson;
    let frozen = true;
    ApiObject.prototype.toJson = function (this: ApiObject) {
      renders.set(this, (renders.get(this) ?? 0) + 1);
      return original.call(this);
    };
    try {
      const reader = objects.find((o) => o.kind === 'Rollout')!;
      reader.node.addValidation({ validate: () => { frozen = Object.isFrozen(reader.toJson().spec.template); return []; } });
      synthesizeApp(app, false); // ProgressiveApp.synth(), whatever class the example builds
    } finally {
      ApiObject.prototype.toJson = original;
    }
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.filter((o) => renders.get(o) !== 1).map((o) => `${o.kind}/${o.name}: ${renders.get(o)}`)).toEqual([]);
    expect(frozen).toBe(true);
    expect(Object.hasOwn(objects[0], 'toJson')).toBe(false);
    expect(Object.isFrozen(objects[0].toJson())).toBe(false);
  });
});

test('an object whose own toJson is an instance property gets it back after synth', () => {
  const app = new ProgressiveApp({ outdir: tmpdir() });
  const chart = new Chart(app, 'c');
  const object = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
  const ownToJson = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own' } });
  Object.defineProperty(object, 'toJson', { configurable: true, writable: true, value: ownToJson });
  app.synth();
  expect(object.toJson).toBe(ownToJson);
  expect(fs.readFileSync(path.join(app.outdir, 'c.k8s.yaml'), 'utf8')).toContain('name: own');
});

describe('a failed write leaves the outdir as it was', () => {
  const build = (outdir: string, image: string) => {
    const app = new ProgressiveApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [{ image, portNumber: 8080 }] });
    return app;
  };

  test('a write failing after some files were written: old files intact, no staging folder left', () => {
    const parent = tmpdir();
    const outdir = path.join(parent, 'dist');
    build(outdir, 'shop/api:1.0.0').synth();
    fs.writeFileSync(path.join(outdir, 'kept.txt'), 'not written by synth');
    const before = readTree(outdir);
    expect(Object.keys(before).length).toBeGreaterThan(2);

    // a real failing write: the last file to write is a folder now (EISDIR), after the others were written
    const files = Object.keys(before).filter((f) => f.endsWith('.k8s.yaml'));
    const last = files.find((f) => f.startsWith('Service.api-stable'))!;
    fs.rmSync(path.join(outdir, last));
    fs.mkdirSync(path.join(outdir, last));
    const beforeFailure = readTree(outdir);
    expect(() => build(outdir, 'shop/api:2.0.0').synth()).toThrow(/EISDIR/);
    expect(readTree(outdir)).toEqual(beforeFailure);
    expect(Object.values(beforeFailure).join('\n')).toContain('image: shop/api:1.0.0');
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('a successful synth replaces the files and keeps the files it does not write, as App.synth() does', () => {
    const parent = tmpdir();
    const outdir = path.join(parent, 'dist');
    build(outdir, 'shop/api:1.0.0').synth();
    fs.writeFileSync(path.join(outdir, 'kept.txt'), 'not written by synth');
    build(outdir, 'shop/api:2.0.0').synth();
    const tree = readTree(outdir);
    expect(tree['kept.txt']).toBe('not written by synth');
    expect(tree['Rollout.api.k8s.yaml']).toContain('image: shop/api:2.0.0');
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });
});
