import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ALB_APPS, synthAlbApps } from './support/alb-apps';

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
