import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as YAML from 'yaml';
import { ArgoCdApplication, CanaryRollout, CanaryStep, ExperimentSpecRef, GatewayApiTrafficSplit, StringMatch } from '../src';
import { ALB_APPS, synthAlbApps } from './support/alb-apps';
import { pluginLiveHttpRoute } from './support/gateway-plugin-model';

/*
 * Argo CD's own diff (test/argocd-diff: gitops-engine's pkg/diff with Argo CD v3.5.1's
 * ignore-differences normalizer) against the controller's own writes (test/oracles: the v1.9.1
 * traffic reconcilers at weight 30, header and mirror routes on, `reconcile --write-live`).
 * Locally both binaries are built when Go is there and the suite skips without it; with CI=true
 * (or ORACLE_REQUIRED=1) a missing tool fails the suite.
 */

const ROOT = path.join(__dirname, '..');
const DIFF_DIR = path.join(ROOT, 'test', 'argocd-diff');
const DIFF_BIN = process.env.ARGOCD_DIFF_BIN ?? path.join(DIFF_DIR, 'argocd-diff');
const ORACLE_DIR = path.join(ROOT, 'test', 'oracles');
const ORACLE_BIN = path.join(process.env.ORACLE_BIN_DIR ?? path.join(ORACLE_DIR, 'bin'), 'oracle');
const required = process.env.CI === 'true' || process.env.ORACLE_REQUIRED === '1';
const EXAMPLES = ['seed-000-aragora', 'seed-002-x0tta6bl4', 'seed-004-gateway-api', 'seed-004-optional-rollouts'];

function hasGo(): boolean {
  return spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).status === 0;
}

/** The binary, built from its module when it is missing (and Go is there). */
function binary(bin: string, moduleDir: string, build: string): string | undefined {
  if (fs.existsSync(bin)) return bin;
  if (!hasGo() || !fs.existsSync(path.join(moduleDir, 'go.mod'))) {
    if (required) throw new Error(`${bin} is required in CI and Go or ${moduleDir} is missing (see .ci/run)`);
    return undefined;
  }
  execFileSync('sh', ['-c', build], { cwd: moduleDir, stdio: 'inherit', timeout: 1_800_000 });
  return bin;
}

interface DiffResult { kind: string; namespace: string; name: string; status: string; prunable?: boolean; diff?: string }

function argocdDiff(desired: string, live: string, application: string): DiffResult[] {
  fs.mkdirSync(live, { recursive: true });
  const out = execFileSync(DIFF_BIN, ['--desired', desired, '--live', live, '--application', application, '--untouched-as-desired'], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const diffBin = binary(DIFF_BIN, DIFF_DIR, `./prepare.sh && GOFLAGS=-mod=mod go build -o ${JSON.stringify(DIFF_BIN)} .`);
const oracleBin = diffBin && binary(ORACLE_BIN, ORACLE_DIR, `mkdir -p ${JSON.stringify(path.dirname(ORACLE_BIN))} && go build -o ${JSON.stringify(ORACLE_BIN)} .`);
const suite = diffBin && oracleBin ? describe : describe.skip;

suite('Argo CD diff against the controller\'s writes mid-release', () => {
  let tree: string;
  let live: string;

  beforeAll(() => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-diff-'));
    for (const name of EXAMPLES) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(ROOT, 'examples', name, 'main.ts')).buildApp(path.join(tree, 'dist', name)).synth();
    }
    live = path.join(tree, 'live');
    execFileSync(oracleBin!, ['reconcile', '--write-live', live, path.join(tree, 'dist')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }, 600_000);

  afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

  test.each(EXAMPLES)('%s: no object differs under the generated ignoreDifferences; nothing the controller creates is pruned', (name) => {
    const results = argocdDiff(path.join(tree, 'dist', name), path.join(live, name), path.join(tree, 'dist', name, 'argocd.k8s.yaml'));
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status !== 'synced' && r.status !== 'extra')).toEqual([]);
    expect(results.filter((r) => r.status === 'extra' && r.prunable)).toEqual([]);
  });

  test('seed 002: the controller really wrote the VirtualService (weight 30, header route), and without the ignores Argo CD reports it', () => {
    const name = 'seed-002-x0tta6bl4';
    const vsFile = fs.readdirSync(path.join(live, name)).find((f) => f.startsWith('virtualservice-'))!;
    const vs = YAML.parse(fs.readFileSync(path.join(live, name, vsFile), 'utf8'));
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['x-canary', 'primary']);
    expect(vs.spec.http[1].route.map((d: any) => d.weight)).toEqual([70, 30]);

    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(tree, 'dist', name, 'argocd.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const bare = path.join(tree, `${name}-bare-application.yaml`);
    const application = docs.find((d) => d.kind === 'Application');
    delete application.spec.ignoreDifferences;
    fs.writeFileSync(bare, YAML.stringify(application));
    const modified = argocdDiff(path.join(tree, 'dist', name), path.join(live, name), bare).filter((r) => r.status === 'modified');
    expect(modified.map((r) => `${r.kind}/${r.name}`)).toEqual(['VirtualService/proxy-api']);
    expect(modified[0].diff).toContain('weight: 30');
  });

  test('a field the controller does not own, changed in the cluster, is a diff', () => {
    const name = 'seed-002-x0tta6bl4';
    const changed = path.join(tree, `${name}-changed`);
    fs.cpSync(path.join(live, name), changed, { recursive: true });
    const vsFile = fs.readdirSync(changed).find((f) => f.startsWith('virtualservice-'))!;
    const vs = YAML.parse(fs.readFileSync(path.join(changed, vsFile), 'utf8'));
    vs.spec.hosts = ['proxy-api.attacker.example'];
    fs.writeFileSync(path.join(changed, vsFile), YAML.stringify(vs));
    const results = argocdDiff(path.join(tree, 'dist', name), changed, path.join(tree, 'dist', name, 'argocd.k8s.yaml'));
    const modified = results.filter((r) => r.status === 'modified');
    expect(modified.map((r) => `${r.kind}/${r.name}`)).toEqual(['VirtualService/proxy-api']);
    expect(modified[0].diff).toContain('proxy-api.x0tta6bl4.io');
  });

  test('a Service selector changed beyond the controller\'s hash label is a diff; the hash label is not', () => {
    const name = 'seed-000-aragora';
    const changed = path.join(tree, `${name}-service`);
    fs.mkdirSync(changed, { recursive: true });
    const docs = fs.readdirSync(path.join(tree, 'dist', name)).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(tree, 'dist', name, f), 'utf8')).map((d) => d.toJSON()));
    const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'aragora-stable');
    service.spec.selector['rollouts-pod-template-hash'] = '6b7f9c';
    service.metadata.annotations = { ...service.metadata.annotations, 'argo-rollouts.argoproj.io/managed-by-rollouts': 'aragora' };
    fs.writeFileSync(path.join(changed, 'service.yaml'), YAML.stringify(service));
    const application = path.join(tree, 'dist', name, 'argocd.k8s.yaml');
    expect(argocdDiff(path.join(tree, 'dist', name), changed, application).filter((r) => r.status === 'modified')).toEqual([]);
    service.spec.selector['app.kubernetes.io/name'] = 'other';
    fs.writeFileSync(path.join(changed, 'service.yaml'), YAML.stringify(service));
    const modified = argocdDiff(path.join(tree, 'dist', name), changed, application).filter((r) => r.status === 'modified');
    expect(modified.map((r) => `${r.kind}/${r.name}`)).toEqual(['Service/aragora-stable']);
  });
  /*
   * Gateway API: the plugin cannot run here (the Go module proxy refuses its module), so the live
   * HTTPRoute is a MODEL of its writes at tag v0.15.0 (test/support/gateway-plugin-model.ts, from
   * pkg/plugin/httproute.go and labels.go), defaulted as the API server does from the pinned CRD.
   * Argo CD's diff, the ignore expressions and the desired objects are the real ones.
   */
  describe('Gateway API, live HTTPRoute modelled from the plugin\'s source (v0.15.0), not the plugin', () => {
    const HEADER = { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] };
    let seedDir: string;
    let headerDir: string;

    /** The desired objects of a synthesised folder. */
    const desiredOf = (dir: string) => fs.readdirSync(dir).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON())).filter(Boolean);

    /** A live folder holding only `route` (every other object live as applied). */
    function liveWith(name: string, liveRoute: any): string {
      const dir = path.join(tree, `gw-live-${name}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'httproute.yaml'), YAML.stringify(liveRoute));
      return dir;
    }

    /** The folder's Application without its ignoreDifferences. */
    function bareApplication(dir: string): string {
      const application = desiredOf(dir).find((d) => d.kind === 'Application');
      delete application.spec.ignoreDifferences;
      const file = path.join(tree, `${path.basename(dir)}-bare.yaml`);
      fs.writeFileSync(file, YAML.stringify(application));
      return file;
    }

    const modified = (dir: string, liveDir: string, application: string) => argocdDiff(dir, liveDir, application).filter((r) => r.status !== 'synced');

    beforeAll(() => {
      seedDir = path.join(tree, 'dist', 'seed-004-gateway-api');
      // A canary with a header route step, a user filter on its first rule (copied into the added rule), a third backend, a second rule.
      headerDir = path.join(tree, 'gw-header');
      const app = new App({ outdir: headerDir });
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      const split = new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw', namespace: 'gateways' }], hostnames: ['shop.example.com'], pathPrefix: '/api' });
      new CanaryRollout(chart, 'api', {
        metadata: { name: 'api' },
        containers: [{ image: 'shop/api:1.0.0', portNumber: 8080 }],
        trafficSplit: split,
        steps: [CanaryStep.headerRoute({ name: HEADER.name, match: [{ name: 'x-beta', value: StringMatch.exact('yes') }] }), CanaryStep.weight(30)],
      });
      ApiObject.of(split.httpRoute!).addJsonPatch(
        JsonPatch.add('/spec/rules/0/filters', [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'api' }] } }]),
        JsonPatch.add('/spec/rules/0/backendRefs/-', { name: 'api-legacy', port: 8080, weight: 0 }),
        JsonPatch.add('/spec/rules/-', { matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [{ name: 'api-stable', port: 8080, weight: 100 }, { name: 'api-canary', port: 8080, weight: 0 }] }),
      );
      new ArgoCdApplication(chart, 'app', { repoUrl: 'https://github.com/example/shop', path: 'dist/shop' });
      app.synth();
    });

    /** The desired HTTPRoute and Rollout of a folder, and the modelled live route. */
    function modelled(dir: string, header?: typeof HEADER) {
      const docs = desiredOf(dir);
      const route = docs.find((d) => d.kind === 'HTTPRoute');
      const rollout = docs.find((d) => d.kind === 'Rollout');
      return { route, modelledLive: pluginLiveHttpRoute(route, rollout, 30, header) };
    }

    test('seed 004: weights 70/30 and the in-progress label are no diff under the generated ignores, a diff without them', () => {
      const { route, modelledLive: routeLive } = modelled(seedDir);
      expect(routeLive.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['myapp-prod-stable', 70], ['myapp-prod-canary', 30]]);
      expect(routeLive.metadata.labels['rollouts.argoproj.io/gatewayapi-canary']).toBe('in-progress');
      const dir = liveWith('seed', routeLive);
      expect(modified(seedDir, dir, path.join(seedDir, 'argocd.k8s.yaml'))).toEqual([]);
      const bare = modified(seedDir, dir, bareApplication(seedDir));
      expect(bare.map((r) => `${r.kind}/${r.name}`)).toEqual([`HTTPRoute/${route.metadata.name}`]);
      expect(bare[0].diff).toContain('weight: 30');
    });

    test('header route on two rules: the added rules (beta, beta-1; copied filter, merged match) are no diff under the ignores, a diff without them', () => {
      const { modelledLive: routeLive } = modelled(headerDir, HEADER);
      expect(routeLive.spec.rules.map((r: any) => r.name ?? null)).toEqual([null, null, 'beta', 'beta-1']);
      expect(routeLive.spec.rules[2].matches).toEqual([{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-beta', type: 'Exact', value: 'yes' }] }]);
      expect(routeLive.spec.rules[2].filters).toEqual(routeLive.spec.rules[0].filters);
      expect(routeLive.spec.rules[1].backendRefs.map((b: any) => b.weight)).toEqual([70, 30]);
      const dir = liveWith('header', routeLive);
      expect(modified(headerDir, dir, path.join(headerDir, 'shop.k8s.yaml'))).toEqual([]);
      const bare = modified(headerDir, dir, bareApplication(headerDir));
      expect(bare.map((r) => `${r.kind}/${r.name}`)).toEqual(['HTTPRoute/api']);
      expect(bare[0].diff).toContain('name: beta');
    });

    test('weighted experiment templates: their Services appended to the rule are no diff under the ignores; a user backend added is one', () => {
      const dir = path.join(tree, 'gw-experiment');
      const app = new App({ outdir: dir });
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      new CanaryRollout(chart, 'api', {
        metadata: { name: 'api' },
        containers: [{ image: 'shop/api:1.0.0', portNumber: 8080 }],
        trafficSplit: new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw' }] }),
        steps: [CanaryStep.weight(10), CanaryStep.experiment({
          templates: [{ name: 'baseline', specRef: ExperimentSpecRef.STABLE, weight: 5 }, { name: 'canary', specRef: ExperimentSpecRef.CANARY, weight: 5 }],
          duration: Duration.minutes(5),
        })],
      });
      new ArgoCdApplication(chart, 'app', { repoUrl: 'https://github.com/example/shop', path: 'dist/shop' });
      app.synth();
      const docs = desiredOf(dir);
      const route = docs.find((d) => d.kind === 'HTTPRoute');
      const rollout = docs.find((d) => d.kind === 'Rollout');
      // The controller names each template's Service <rollout>-<pod hash>-<revision>-<step index>-<template>.
      const experiment = ['baseline', 'canary'].map((t) => ({ serviceName: `api-5d4f8b7c9-2-1-${t}`, weight: 5, port: 8080 }));
      const routeLive = pluginLiveHttpRoute(route, rollout, 10, undefined, experiment);
      expect(routeLive.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([
        ['api-stable', 90], ['api-canary', 10], ['api-5d4f8b7c9-2-1-baseline', 5], ['api-5d4f8b7c9-2-1-canary', 5],
      ]);
      const application = path.join(dir, 'shop.k8s.yaml');
      expect(modified(dir, liveWith('experiment', routeLive), application)).toEqual([]);
      const withoutExperimentIgnores = docs.find((d) => d.kind === 'Application');
      const routeEntry = withoutExperimentIgnores.spec.ignoreDifferences.find((e: any) => e.kind === 'HTTPRoute');
      const kept = routeEntry.jqPathExpressions.filter((q: string) => !q.includes('test("^api-'));
      expect(routeEntry.jqPathExpressions.length - kept.length).toBe(2);
      routeEntry.jqPathExpressions = kept;
      fs.writeFileSync(path.join(tree, 'gw-experiment-app.yaml'), YAML.stringify(withoutExperimentIgnores));
      expect(modified(dir, liveWith('experiment', routeLive), path.join(tree, 'gw-experiment-app.yaml')).map((r) => r.diff)).toEqual([expect.stringContaining('api-5d4f8b7c9-2-1-baseline')]);
      routeLive.spec.rules[0].backendRefs.push({ group: '', kind: 'Service', name: 'api-legacy', port: 8080, weight: 1 });
      expect(modified(dir, liveWith('experiment-user', routeLive), application).map((r) => `${r.kind}/${r.name}`)).toEqual(['HTTPRoute/api']);
    });

    test.each([
      ['hostnames', (r: any) => { r.spec.hostnames = ['shop.attacker.example']; }, 'shop.example.com'],
      ['the rule\'s filter', (r: any) => { r.spec.rules[0].filters[0].requestHeaderModifier.set[0].value = 'other'; }, 'value: api'],
      ['the rule\'s match', (r: any) => { r.spec.rules[0].matches[0].path.value = '/'; }, 'value: /api'],
      ['the stable backendRef\'s port', (r: any) => { r.spec.rules[0].backendRefs[0].port = 9090; }, 'port: 9090'],
      ['the weight of a backend that is neither stable nor canary', (r: any) => { r.spec.rules[0].backendRefs[2].weight = 50; }, 'weight: 50'],
    ])('header route: %s changed in the cluster mid-release is a diff under the ignores', (_field, change, expected) => {
      const { modelledLive: routeLive } = modelled(headerDir, HEADER);
      change(routeLive);
      const results = modified(headerDir, liveWith('changed', routeLive), path.join(headerDir, 'shop.k8s.yaml'));
      expect(results.map((r) => `${r.kind}/${r.name}`)).toEqual(['HTTPRoute/api']);
      expect(results[0].diff).toContain(expected);
    });
  });
});

suite('Argo CD diff against the controller\'s ALB writes mid-release (AlbTrafficSplit apps built here)', () => {
  let tree: string;
  let live: string;
  const desired = (name: string) => path.join(tree, 'dist', name);
  const applicationFile = (name: string) => path.join(desired(name), fs.readdirSync(desired(name)).find((f) => f.endsWith('.k8s.yaml'))!);
  const liveIngress = (name: string, file: string) => YAML.parse(fs.readFileSync(path.join(live, name, file), 'utf8'));
  /** The app's Application with its ignoreDifferences replaced (undefined: none). */
  const applicationWith = (name: string, ignore?: (entries: any[]) => any[]) => {
    const app = YAML.parseAllDocuments(fs.readFileSync(applicationFile(name), 'utf8')).map((d) => d.toJSON()).find((d) => d.kind === 'Application');
    app.spec.ignoreDifferences = ignore?.(app.spec.ignoreDifferences);
    if (!app.spec.ignoreDifferences) delete app.spec.ignoreDifferences;
    const file = path.join(tree, `${name}-${Math.random().toString(36).slice(2)}-application.yaml`);
    fs.writeFileSync(file, YAML.stringify(app));
    return file;
  };
  /** The live folder with one Ingress changed. */
  const liveWith = (name: string, file: string, change: (ing: any) => void) => {
    const dir = path.join(tree, `${name}-${Math.random().toString(36).slice(2)}-live`);
    fs.cpSync(path.join(live, name), dir, { recursive: true });
    const ing = liveIngress(name, file);
    change(ing);
    fs.writeFileSync(path.join(dir, file), YAML.stringify(ing));
    return dir;
  };
  const modified = (results: DiffResult[]) => results.filter((r) => r.status === 'modified');

  beforeAll(() => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-diff-alb-'));
    synthAlbApps(path.join(tree, 'dist'));
    live = path.join(tree, 'live');
    execFileSync(oracleBin!, ['reconcile', '--write-live', live, path.join(tree, 'dist')], { encoding: 'utf8' });
  }, 600_000);

  afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

  test.each(ALB_APPS)('%s: the controller wrote the Ingresses, and no object differs under the generated ignoreDifferences', (name) => {
    const ingresses = fs.readdirSync(path.join(live, name)).filter((f) => f.startsWith('ingress-'));
    expect(ingresses.length).toBeGreaterThan(0);
    for (const file of ingresses) {
      expect(Object.keys(liveIngress(name, file).metadata.annotations)).toContain('rollouts.argoproj.io/managed-alb-annotations');
    }
    const results = argocdDiff(desired(name), path.join(live, name), applicationFile(name));
    expect(results.filter((r) => r.kind === 'Ingress').length).toBe(ingresses.length);
    expect(results.filter((r) => r.status !== 'synced')).toEqual([]);
  });

  test('without the ignores, the path the header route adds to spec.rules is a diff (the merge patch replaces the rules)', () => {
    const name = 'alb-header';
    const bare = argocdDiff(desired(name), path.join(live, name), applicationWith(name));
    expect(modified(bare).map((r) => `${r.kind}/${r.name}`)).toEqual(['Ingress/api']);
    expect(modified(bare)[0].diff).toContain('name: beta');
    expect(modified(bare)[0].diff).toContain('path: /*');
    // The ignores as they were before (the annotations only) leave it a diff too: the path expression is what makes it synced.
    const annotationsOnly = applicationWith(name, (entries) => entries.map((e) => (e.kind === 'Ingress' ? { ...e, jqPathExpressions: undefined } : e)));
    expect(modified(argocdDiff(desired(name), path.join(live, name), annotationsOnly)).map((r) => r.name)).toEqual(['api']);
  });

  test('the controller\'s annotations alone are not a diff even without ignores: the three-way diff leaves keys the manifest never had alone', () => {
    const name = 'alb-ping-pong';
    const annotations = liveIngress(name, 'ingress-web-public.yaml').metadata.annotations;
    expect(annotations['custom.alb.io/actions.web-root']).toContain('"Weight":30');
    expect(modified(argocdDiff(desired(name), path.join(live, name), applicationWith(name)))).toEqual([]);
  });

  test('a field the controller does not own, changed in the cluster, is a diff under the generated ignores', () => {
    const name = 'alb-header';
    const file = 'ingress-shop-api.yaml';
    const application = applicationFile(name);
    const annotation = liveWith(name, file, (ing) => { ing.metadata.annotations['alb.ingress.kubernetes.io/target-type'] = 'instance'; });
    const byAnnotation = modified(argocdDiff(desired(name), annotation, application));
    expect(byAnnotation.map((r) => `${r.kind}/${r.name}`)).toEqual(['Ingress/api']);
    expect(byAnnotation[0].diff).toContain('target-type: ip');
    // The user's own path beside the one the header route added: only the controller's path is ignored.
    const userPath = liveWith(name, file, (ing) => { ing.spec.rules[0].http.paths[1].path = '/admin'; });
    const byPath = modified(argocdDiff(desired(name), userPath, application));
    expect(byPath.map((r) => `${r.kind}/${r.name}`)).toEqual(['Ingress/api']);
    expect(byPath[0].diff).toContain('/admin');
    // A path to the route's name that is not the controller's (another path) is not ignored either.
    const lookalike = liveWith(name, file, (ing) => { ing.spec.rules[0].http.paths[0].path = '/beta'; });
    expect(modified(argocdDiff(desired(name), lookalike, application)).map((r) => r.name)).toEqual(['api']);
  });
});
