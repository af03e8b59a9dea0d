import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ALB_APPS, synthAlbApps } from './support/alb-apps';
import { crdRoot, failures, OracleResult, oraclesAvailable, runKubectlValidate, runOracle } from './support/oracles';

/*
 * Every example's output judged by the upstream code: the Argo Rollouts v1.9.1 controller's lint,
 * reference and analysis validation and traffic reconcilers (test/oracles), kubectl-validate
 * (Kubernetes 1.27 schemas + the pinned CRDs) and Go's YAML reader. Locally the suite is skipped
 * when Go or kubectl-validate is missing; with CI=true it fails instead.
 */
const examplesDir = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(examplesDir).filter((n) => fs.existsSync(path.join(examplesDir, n, 'main.ts'))).sort();
const available = oraclesAvailable();
const describeIf = available ? describe : describe.skip;

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true } as any)
    .filter((e: any) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e: any) => path.join(e.parentPath ?? e.path, e.name)).sort();
}

describeIf('the upstream code accepts every example', () => {
  let tree: string;
  let live: string;
  let objects: any[];
  beforeAll(() => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'oracle-examples-'));
    live = path.join(tree, '..', `${path.basename(tree)}-live`);
    for (const name of examples) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(examplesDir, name, 'main.ts')).buildApp(path.join(tree, name)).synth();
    }
    objects = yamlFiles(tree).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => ({ file: f, obj: d.toJSON() })));
  });
  afterAll(() => {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(live, { recursive: true, force: true });
  });

  test('kubectl argo rollouts lint and the controller validation accept every file and object', () => {
    const results = runOracle('lint', tree);
    expect(failures(results)).toEqual([]);
    // Every file was linted and every Rollout had its references validated.
    expect(results.filter((r) => r.check === 'lint' && !r.kind).map((r) => r.file).sort()).toEqual(yamlFiles(tree));
    const rollouts = objects.filter((o) => o.obj?.kind === 'Rollout');
    expect(results.filter((r) => r.check === 'references')).toHaveLength(rollouts.length);
    // The only unresolved references are templates installed outside the app (the README says so).
    for (const r of results.filter((x) => x.notes?.length)) {
      for (const note of r.notes!) {
        const name = /'([^']+)' is not in the app/.exec(note)?.[1];
        expect(name).toBeDefined();
        const inApp = objects.filter((o) => path.relative(tree, o.file).split(path.sep)[0] === r.app);
        expect(inApp.some((o) => /AnalysisTemplate$/.test(o.obj?.kind) && o.obj.metadata?.name === name)).toBe(false);
      }
    }
  });

  test('kubectl-validate (API server schemas, CRD structural schemas and CEL rules) accepts every document', () => {
    const results = runKubectlValidate(tree);
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(objects.filter((o) => o.obj).length);
  });

  test('the nginx and Istio reconcilers set weight 30 and the header and mirror routes', () => {
    const results = runOracle('reconcile', tree, ['--write-live', live]);
    expect(failures(results)).toEqual([]);
    const routed = objects.filter((o) => o.obj?.kind === 'Rollout' && o.obj.spec?.strategy?.canary?.trafficRouting);
    const expected = (router: string) => routed.filter((o) => o.obj.spec.strategy.canary.trafficRouting[router]).length;
    const ran = (router: string) => results.filter((r: OracleResult) => r.router === router && r.ok && !r.notes?.length).length;
    expect(ran('nginx')).toBe(expected('nginx'));
    expect(ran('istio')).toBe(expected('istio'));
    expect(expected('nginx') + expected('istio')).toBeGreaterThan(0);

    // What the controller left, read back from --write-live: the canary Ingress it created routes every
    // path to the canary Service at weight 30; the VirtualService sends 30 to the canary.
    for (const { obj: ro, file } of routed) {
      const canary = ro.spec.strategy.canary;
      const app = path.relative(tree, file).split(path.sep)[0];
      const ns = ro.metadata.namespace ?? 'default';
      if (canary.trafficRouting.nginx) {
        const stable = canary.trafficRouting.nginx.stableIngress;
        const ing = YAML.parse(fs.readFileSync(path.join(live, app, `ingress-${ns}-${ro.metadata.name}-${stable}-canary.yaml`), 'utf8'));
        const prefix = canary.trafficRouting.nginx.annotationPrefix ?? 'nginx.ingress.kubernetes.io';
        expect(ing.metadata.annotations[`${prefix}/canary-weight`]).toBe('30');
        const backends = ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.name));
        expect(backends.length).toBeGreaterThan(0);
        expect(new Set(backends)).toEqual(new Set([canary.canaryService]));
      }
      if (canary.trafficRouting.istio) {
        const vsName = canary.trafficRouting.istio.virtualService.name;
        const vs = YAML.parse(fs.readFileSync(path.join(live, app, `virtualservice-${ns}-${vsName}.yaml`), 'utf8'));
        const managed = canary.trafficRouting.istio.virtualService.routes ?? [];
        for (const route of vs.spec.http.filter((r: any) => managed.includes(r.name))) {
          const weights = Object.fromEntries(route.route.map((d: any) => [d.destination.subset ?? d.destination.host, d.weight]));
          const dr = canary.trafficRouting.istio.destinationRule;
          expect(weights[dr ? dr.canarySubsetName : canary.canaryService]).toBe(30);
          expect(weights[dr ? dr.stableSubsetName : canary.stableService]).toBe(70);
        }
        for (const step of canary.steps ?? []) {
          const named = step.setHeaderRoute?.match ? step.setHeaderRoute.name : step.setMirrorRoute?.match ? step.setMirrorRoute.name : undefined;
          if (named) expect(vs.spec.http.map((r: any) => r.name)).toContain(named);
        }
      }
    }
  });

  test("the API server's CRD pruning and defaulting leave every custom resource unchanged (no server-side apply drift)", () => {
    const results = runOracle('crd-defaults', tree);
    expect(failures(results)).toEqual([]);
    // One result per document of a kind the pinned CRDs define.
    const crdKinds = new Set(yamlFiles(crdRoot()).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJSON()))
      .filter((d) => d?.kind === 'CustomResourceDefinition').map((d) => `${d.spec.group}/${d.spec.names.kind}`));
    const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
    const customResources = objects.filter((o) => o.obj && crdKinds.has(`${group(o.obj.apiVersion)}/${o.obj.kind}`));
    expect(results.map((r) => `${r.file}#${r.kind}/${r.name}`).sort()).toEqual(customResources.map((o) => `${o.file}#${o.obj.kind}/${o.obj.metadata.name}`).sort());
    for (const kind of ['Rollout', 'HTTPRoute', 'AnalysisTemplate', 'ServiceMonitor', 'PrometheusRule', 'Application']) {
      expect(results.some((r) => r.kind === kind)).toBe(true);
    }
  });

  test("Go's YAML reader (kubectl, the API server, Argo CD) reads what the library meant to write", () => {
    const results = runOracle('yaml', tree);
    expect(failures(results)).toEqual([]);
    const byFile = new Map<string, any[]>();
    for (const r of results) byFile.set(r.file!, [...(byFile.get(r.file!) ?? []), r.json]);
    for (const file of yamlFiles(tree)) {
      const meant = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()).filter((d) => d !== null);
      expect({ file, docs: byFile.get(file) }).toEqual({ file, docs: meant });
    }
  });
});


describeIf('the controller\'s ALB reconciler on AlbTrafficSplit apps', () => {
  let tree: string;
  let live: string;
  let results: OracleResult[];
  const readLive = (app: string, ns: string, name: string) => YAML.parse(fs.readFileSync(path.join(live, app, `ingress-${ns}-${name}.yaml`), 'utf8'));
  const json = (ing: any, key: string) => JSON.parse(ing.metadata.annotations[key]);
  const weights = (action: any) => Object.fromEntries(action.ForwardConfig.TargetGroups.map((t: any) => [t.ServiceName, t.Weight]));

  beforeAll(() => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'oracle-alb-'));
    live = path.join(tree, '..', `${path.basename(tree)}-live`);
    synthAlbApps(tree);
    results = runOracle('reconcile', tree, ['--write-live', live]);
  });
  afterAll(() => {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(live, { recursive: true, force: true });
  });

  test('the controller accepts both apps and its ALB reconciler ran once per Rollout', () => {
    expect(failures(runOracle('lint', tree))).toEqual([]);
    expect(failures(results)).toEqual([]);
    expect(results.filter((r) => r.router === 'alb' && r.ok).map((r) => r.app).sort()).toEqual(ALB_APPS);
  });

  test('weight 30: the routed Service\'s action annotation forwards 30 to the canary, 70 to the stable target group', () => {
    const ing = readLive('alb-header', 'shop', 'api');
    const action = json(ing, 'alb.ingress.kubernetes.io/actions.api-stable');
    expect(action.Type).toBe('forward');
    expect(weights(action)).toEqual({ 'api-canary': 30, 'api-stable': 70 });
    expect(action.ForwardConfig.TargetGroups.map((t: any) => t.ServicePort)).toEqual(['8080', '8080']);
    expect(action.ForwardConfig.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 600 });
    // What the manifest set is kept.
    expect(ing.metadata.annotations['alb.ingress.kubernetes.io/target-type']).toBe('ip');
  });

  test('header route on: its action sends everything to the canary, its condition holds the headers, a /* path comes first', () => {
    const ing = readLive('alb-header', 'shop', 'api');
    expect(weights(json(ing, 'alb.ingress.kubernetes.io/actions.beta'))).toEqual({ 'api-canary': 100 });
    expect(json(ing, 'alb.ingress.kubernetes.io/conditions.beta')).toEqual([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Canary', values: ['true', 'yes'] } },
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Tenant', values: ['internal'] } },
    ]);
    expect(json(ing, 'rollouts.argoproj.io/managed-alb-annotations')).toEqual({
      api: ['alb.ingress.kubernetes.io/actions.api-stable', 'alb.ingress.kubernetes.io/actions.beta', 'alb.ingress.kubernetes.io/conditions.beta'],
    });
    expect(ing.spec.rules[0].http.paths.map((p: any) => `${p.path} ${p.backend.service.name}:${p.backend.service.port.name}`)).toEqual([
      '/* beta:use-annotation',
      '/ api-stable:use-annotation',
    ]);
  });

  test('ping-pong over two Ingresses with a custom prefix: the root Service\'s action, ping as canary; the removed header route leaves nothing', () => {
    for (const name of ['public', 'internal']) {
      const ing = readLive('alb-ping-pong', 'web', name);
      expect(weights(json(ing, 'custom.alb.io/actions.web-root'))).toEqual({ 'web-ping': 30, 'web-pong': 70 });
      expect(json(ing, 'rollouts.argoproj.io/managed-alb-annotations')).toEqual({ web: ['custom.alb.io/actions.web-root'] });
      expect(Object.keys(ing.metadata.annotations).filter((k) => k.endsWith('.beta'))).toEqual([]);
      expect(ing.spec.rules[0].http.paths.map((p: any) => p.backend.service.name)).toEqual(['web-root']);
    }
  });
});

describeIf('oracle crd-defaults reports what the API server adds to a custom resource', () => {
  test('an HTTPRoute without parentRef and backendRef group/kind or matches, a port without protocol, an unknown field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oracle-defaults-'));
    try {
      const route = {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      };
      const rollout = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          unknownField: 1,
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
          strategy: { canary: {} },
        },
      };
      fs.writeFileSync(path.join(dir, 'app.yaml'), [route, rollout].map((o) => YAML.stringify(o)).join('---\n'));
      const results = runOracle('crd-defaults', dir);
      expect(results.map((r) => [r.kind, r.ok, r.errors])).toEqual([
        ['HTTPRoute', false, [
          '.spec.parentRefs[0].group: defaulted to "gateway.networking.k8s.io"',
          '.spec.parentRefs[0].kind: defaulted to "Gateway"',
          '.spec.rules[0].backendRefs[0].group: defaulted to ""',
          '.spec.rules[0].backendRefs[0].kind: defaulted to "Service"',
          '.spec.rules[0].backendRefs[0].weight: defaulted to 1',
          '.spec.rules[0].matches: defaulted to [{"path":{"type":"PathPrefix","value":"/"}}]',
        ]],
        ['Rollout', false, [
          '.spec.template.spec.containers[0].ports[0].protocol: defaulted to "TCP"',
          '.spec.unknownField: removed',
        ]],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
