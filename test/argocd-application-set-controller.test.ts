import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { ArgoCdApplication, ArgoCdApplicationSet, ApplicationSetFolder, ProgressiveApp } from '../src';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fleet = require('../examples/seed-004-fleet/main');

/*
 * Argo CD v3.5.1's own ApplicationSet controller judges `ArgoCdApplicationSet` (test/argocd-diff,
 * `argocd-diff appset`): its Reconcile with the production generators (List, Matrix, Clusters over
 * cluster Secrets in a fake controller-runtime client), its Render (goTemplate, templatePatch), its
 * validation of the generated Applications and its RollingSync progressive sync; the repo server's
 * GenerateManifests takes each Application's files from the synthesised folder, and Argo CD's diff
 * (gitops-engine with Argo CD's normalizers) compares them under the Application's ignoreDifferences.
 * Locally the binary is built when Go is there and the suite skips without it; with CI=true (or
 * ORACLE_REQUIRED=1) a missing tool fails the suite.
 */

const ROOT = path.join(__dirname, '..');
const DIFF_DIR = path.join(ROOT, 'test', 'argocd-diff');
const DIFF_BIN = process.env.ARGOCD_DIFF_BIN ?? path.join(DIFF_DIR, 'argocd-diff');
const required = process.env.CI === 'true' || process.env.ORACLE_REQUIRED === '1';
const REPO_URL = 'https://github.com/example/platform';

function binary(): string | undefined {
  if (fs.existsSync(DIFF_BIN)) return DIFF_BIN;
  if (spawnSync('sh', ['-c', 'command -v go']).status !== 0) {
    if (required) throw new Error(`${DIFF_BIN} is required in CI and Go is missing (see .ci/run)`);
    return undefined;
  }
  execFileSync('sh', ['-c', `./prepare.sh && GOFLAGS=-mod=mod go build -o ${JSON.stringify(DIFF_BIN)} .`], { cwd: DIFF_DIR, stdio: 'inherit', timeout: 1_800_000 });
  return DIFF_BIN;
}

interface Report {
  applications: string[];
  waves: string[][];
  applicationStatus: { application: string; status: string; step: string }[];
  conditions: { type: string; status: string; reason: string; message: string }[];
  invalidGenerators?: string;
  bytes: number;
  clientSideApply?: string;
}

interface Variant {
  /** The repository's checkout: the synthesised folders under it. */
  repo: string;
  out: string;
  app: App;
  set: any;
  folders: ApplicationSetFolder[];
  report: Report;
  applications: Map<string, any>;
}

/** `argocd-diff appset` on the ApplicationSet synthesised into `repo/dist/<name>`. */
function runController(repo: string, out: string, setFile: string, clusters?: string, extra: string[] = []): Report {
  const args = ['appset', '--applicationset', setFile, '--repo-root', repo, '--out', out, ...(clusters ? ['--clusters', clusters] : []), ...extra];
  const run = spawnSync(bin!, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`argocd-diff appset failed (${run.status}): ${run.stderr}`);
  return JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
}

function readApplications(out: string): Map<string, any> {
  const dir = path.join(out, 'applications');
  return new Map(fs.readdirSync(dir).map((f) => {
    const app = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return [app.metadata.name, app];
  }));
}

/** The cluster generator's `nameNormalized` (applicationset/utils SanitizeName): lower case, [^-a-z0-9.] → -, trimmed of - and . */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[^-a-z0-9.]/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

function docs(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()).filter(Boolean);
}

/** What an `ArgoCdApplication` syncing `scope` computes: its ignoreDifferences and sync options. */
function applicationFor(scope: IConstruct): any {
  const chart = new Chart(Testing.app(), 'argocd');
  new ArgoCdApplication(chart, 'app', { repoUrl: REPO_URL, path: 'unused', syncs: [scope] });
  return Testing.synth(chart)[0].spec;
}

const bin = binary();
const suite = bin ? describe : describe.skip;

suite('ArgoCdApplicationSet judged by Argo CD v3.5.1\'s ApplicationSet controller', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-appset-'));
  const variants: Record<string, Variant> = {};
  // The cluster-matrix variant: environments on several clusters, two Applications of a step at a time;
  // one cluster named by its EKS ARN, as `argocd cluster add` names it from the kube context.
  const clusters = [
    { name: 'dev-1', environment: 'dev' },
    { name: 'staging-1', environment: 'staging' },
    { name: 'prod-eu', environment: 'prod' },
    { name: 'arn:aws:eks:us-east-1:123456789012:cluster/prod-us', environment: 'prod' },
    { name: 'sandbox', environment: 'sandbox' },
  ].map((c) => ({ ...c, server: `https://${normalized(c.name)}.k8s.example.com` }));
  const ENVIRONMENTS = ['dev', 'staging', 'prod'];
  const MATRIX_MAX_UPDATE = 2;

  beforeAll(() => {
    // seed-004-fleet, small N.
    {
      const repo = path.join(tree, 'fleet');
      const app: App = fleet.buildApp(path.join(repo, 'dist', 'seed-004-fleet'), 3);
      app.synth();
      const set = app.node.findAll().find((c) => c instanceof ArgoCdApplicationSet) as ArgoCdApplicationSet;
      const setJson = set.apiObject.toJson();
      const out = path.join(tree, 'fleet-out');
      const report = runController(repo, out, path.join(repo, 'dist', 'seed-004-fleet', 'argocd.k8s.yaml'));
      const folders = setJson.spec.generators[0].list.elements;
      variants.fleet = { repo, out, app, set: setJson, folders, report, applications: readApplications(out) };
    }
    // The cluster-matrix variant of the same charts.
    {
      const repo = path.join(tree, 'clusters');
      const app = new ProgressiveApp({ outdir: path.join(repo, 'dist', 'fleet-clusters') });
      const folders: ApplicationSetFolder[] = [];
      for (const service of ['billing', 'search']) {
        for (const environment of ENVIRONMENTS) {
          const chart = new fleet.ServiceChart(app, `${service}-${environment}`, service, environment);
          folders.push({ service, environment, path: 'dist/fleet-clusters', include: `${service}-${environment}.k8s.yaml`, namespace: environment, syncs: [chart] });
        }
      }
      const delivery = new Chart(app, 'argocd');
      const set = new ArgoCdApplicationSet(delivery, 'services', {
        metadata: { name: 'services' }, repoUrl: REPO_URL, folders, environments: ENVIRONMENTS, maxUpdate: MATRIX_MAX_UPDATE, clusterEnvironmentLabel: 'environment',
      });
      app.synth();
      const secrets = path.join(tree, 'cluster-secrets.yaml');
      fs.writeFileSync(secrets, clusters.map((c) => YAML.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `cluster-${c.name}`, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'environment': c.environment } },
        stringData: { name: c.name, server: c.server, config: '{"tlsClientConfig":{"insecure":false}}' },
      })).join('---\n'));
      const out = path.join(tree, 'clusters-out');
      const report = runController(repo, out, path.join(repo, 'dist', 'fleet-clusters', 'argocd.k8s.yaml'), secrets);
      const setJson = set.apiObject.toJson();
      variants.clusters = { repo, out, app, set: setJson, folders, report, applications: readApplications(out) };
    }
  }, 600_000);

  afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

  /** The Applications a variant must generate: one per folder, or per folder and cluster of its environment. */
  function expected(name: string): { name: string; folder: ApplicationSetFolder; cluster?: typeof clusters[number] }[] {
    const v = variants[name];
    const folders: ApplicationSetFolder[] = v.folders;
    if (name === 'fleet') return folders.map((folder) => ({ name: `${folder.service}-${folder.environment}`, folder }));
    return folders.flatMap((folder) => clusters.filter((c) => c.environment === folder.environment)
      .map((cluster) => ({ name: `${folder.service}-${folder.environment}-${normalized(cluster.name)}`, folder, cluster })));
  }

  /** The chart a folder holds (its `syncs`, or the fleet's chart of that id). */
  function chartOf(v: Variant, folder: ApplicationSetFolder): IConstruct {
    return folder.syncs?.[0] ?? v.app.node.findChild(`${folder.service}-${folder.environment}`);
  }

  test.each(['fleet', 'clusters'])('%s: the controller generates one Application per folder (and cluster), no error, unique valid names', (name) => {
    const { report, applications } = variants[name];
    const want = expected(name).map((e) => e.name).sort();
    expect(report.applications).toEqual(want);
    expect([...applications.keys()].sort()).toEqual(want);
    expect(report.invalidGenerators).toBeUndefined();
    const byType = Object.fromEntries(report.conditions.map((c) => [c.type, c]));
    expect(byType.ErrorOccurred.status).toBe('False');
    expect(byType.ResourcesUpToDate).toMatchObject({ status: 'True', reason: 'ApplicationSetUpToDate' });
    expect(byType.RolloutProgressing).toMatchObject({ status: 'False', reason: 'ApplicationSetRolloutComplete' });
  });

  test.each(['fleet', 'clusters'])('%s: each Application takes exactly its service and environment\'s file from the synthesised folder (the repo server\'s GenerateManifests)', (name) => {
    const v = variants[name];
    for (const e of expected(name)) {
      const app = v.applications.get(e.name);
      expect(app.metadata.labels).toEqual({ service: e.folder.service, environment: e.folder.environment });
      const source = { repoURL: REPO_URL, path: e.folder.path, targetRevision: expect.any(String), directory: { include: e.folder.include } };
      expect(app.spec.source).toEqual(source);
      expect(fs.statSync(path.join(v.repo, app.spec.source.path)).isDirectory()).toBe(true);
      expect(app.spec.destination).toEqual({ namespace: e.folder.namespace, server: e.cluster?.server ?? 'https://kubernetes.default.svc' });
      const generated = fs.readdirSync(path.join(v.out, 'manifests', e.name)).map((f) => JSON.parse(fs.readFileSync(path.join(v.out, 'manifests', e.name, f), 'utf8')));
      const file = docs(path.join(v.repo, e.folder.path, e.folder.include!));
      expect(generated.length).toBeGreaterThan(0);
      expect(generated).toEqual(file);
      expect(new Set(generated.map((o) => o.metadata.namespace))).toEqual(new Set([e.folder.environment]));
      expect(generated.filter((o) => o.kind === 'Rollout').map((o) => o.metadata.name)).toEqual([e.folder.service]);
    }
  });

  test.each(['fleet', 'clusters'])('%s: each Application ignores exactly what an ArgoCdApplication syncing its folder computes', (name) => {
    const v = variants[name];
    for (const e of expected(name)) {
      const want = applicationFor(chartOf(v, e.folder));
      const app = v.applications.get(e.name);
      expect(want.ignoreDifferences.length).toBeGreaterThan(0);
      expect(app.spec.ignoreDifferences).toEqual(want.ignoreDifferences);
      expect(app.spec.syncPolicy.syncOptions).toEqual(want.syncPolicy.syncOptions);
    }
  });

  test.each(['fleet', 'clusters'])('%s: RollingSync syncs dev, then staging, then prod, by the environment label the Applications carry, at most maxUpdate at a time', (name) => {
    const v = variants[name];
    const steps = v.set.spec.strategy.rollingSync.steps;
    const environments = steps.map((s: any) => s.matchExpressions[0].values[0]);
    expect(environments).toEqual(ENVIRONMENTS);
    const envOf = (app: string) => v.applications.get(app).metadata.labels.environment;
    // The step the controller put each Application in is its environment's.
    for (const s of v.report.applicationStatus) {
      expect(s).toMatchObject({ status: 'Healthy', step: String(environments.indexOf(envOf(s.application)) + 1) });
    }
    expect(v.report.applicationStatus.map((s) => s.application).sort()).toEqual(v.report.applications);
    // Every Application synced once; a wave never mixes environments nor exceeds maxUpdate; environments in order.
    const synced = v.report.waves.flat();
    expect(synced.sort()).toEqual(v.report.applications);
    const order: string[] = [];
    for (const wave of v.report.waves) {
      const envs = [...new Set(wave.map(envOf))];
      expect(envs).toHaveLength(1);
      expect(wave.length).toBeLessThanOrEqual(steps[environments.indexOf(envs[0])].maxUpdate);
      if (order[order.length - 1] !== envs[0]) order.push(envs[0]);
    }
    expect(order).toEqual(ENVIRONMENTS);
    // Where a step has more Applications than maxUpdate, the controller takes several waves for it.
    for (const [i, env] of environments.entries()) {
      const count = v.report.applications.filter((a) => envOf(a) === env).length;
      expect(v.report.waves.filter((w) => envOf(w[0]) === env)).toHaveLength(Math.ceil(count / steps[i].maxUpdate));
    }
  });

  test('clusters: the matrix picks the clusters whose Secret carries the environment label; a cluster of another environment gets nothing', () => {
    const v = variants.clusters;
    const servers = new Set([...v.applications.values()].map((a) => a.spec.destination.server));
    expect(servers).toEqual(new Set(clusters.filter((c) => ENVIRONMENTS.includes(c.environment)).map((c) => c.server)));
    expect(expected('clusters').filter((e) => e.folder.environment === 'prod').length).toBeGreaterThan(MATRIX_MAX_UPDATE);
  });

  test.each(['fleet', 'clusters'])('%s: Argo CD\'s diff accepts every generated Application against its own files (live as applied)', (name) => {
    const v = variants[name];
    const live = path.join(tree, `${name}-live-empty`);
    fs.mkdirSync(live, { recursive: true });
    for (const appName of v.report.applications) {
      const out = execFileSync(bin!, ['--desired', path.join(v.out, 'manifests', appName), '--live', live, '--application', path.join(v.out, 'applications', `${appName}.yaml`), '--untouched-as-desired'], { encoding: 'utf8' });
      const results = out.trim().split('\n').map((l) => JSON.parse(l));
      expect(results.map((r) => r.kind).sort()).toEqual(['HTTPRoute', 'HorizontalPodAutoscaler', 'Rollout', 'Service', 'Service']);
      expect(results.filter((r) => r.status !== 'synced')).toEqual([]);
    }
  });

  test('size: the small fleet is accepted by a client-side apply; 1000 services × 3 environments need a server-side apply (the API server\'s annotation limit)', () => {
    // Go's JSON escapes < > & (6 bytes each), hence the margin.
    const bytes = JSON.stringify(variants.fleet.set).length;
    expect(variants.fleet.report.bytes).toBeGreaterThanOrEqual(bytes);
    expect(variants.fleet.report.bytes).toBeLessThan(bytes + 100);
    expect(variants.fleet.report.clientSideApply).toBeUndefined();
    const chart = new Chart(Testing.app(), 'argocd');
    const folders = Array.from({ length: 3000 }, (_, i) => ({ service: `svc-${Math.floor(i / 3)}`, environment: ENVIRONMENTS[i % 3], path: 'dist/fleet', include: `svc-${i}.k8s.yaml`, namespace: ENVIRONMENTS[i % 3] }));
    new ArgoCdApplicationSet(chart, 'services', { metadata: { name: 'services' }, repoUrl: REPO_URL, folders });
    const file = path.join(tree, 'large-set.yaml');
    fs.writeFileSync(file, YAML.stringify(Testing.synth(chart)[0]));
    const report = runController(tree, path.join(tree, 'large-out'), file, undefined, ['--max-reconciles', '0']);
    expect(report.bytes).toBeLessThan(1.5 * 1024 * 1024);
    expect(report.clientSideApply).toContain('metadata.annotations: Too long: may not be more than 262144 bytes');
  });

  test('the rendered ignoreDifferences work in Argo CD\'s diff: weights set as at weight 30 are ignored, a hostname is not; without them the weights differ', () => {
    const v = variants.clusters;
    const appName = v.report.applications.find((a) => v.applications.get(a).metadata.labels.environment === 'prod')!;
    const manifests = path.join(v.out, 'manifests', appName);
    const appFile = path.join(v.out, 'applications', `${appName}.yaml`);
    const routeFile = fs.readdirSync(manifests).find((f) => JSON.parse(fs.readFileSync(path.join(manifests, f), 'utf8')).kind === 'HTTPRoute')!;
    const route = JSON.parse(fs.readFileSync(path.join(manifests, routeFile), 'utf8'));
    // The HTTPRoute as the Gateway API plugin leaves it at weight 30 (written here: the plugin is not served by the module proxy).
    const canary = `${v.applications.get(appName).metadata.labels.service}-canary`;
    for (const ref of route.spec.rules[0].backendRefs) ref.weight = ref.name === canary ? 30 : 70;
    const live = path.join(tree, 'weights-live');
    fs.mkdirSync(live, { recursive: true });
    fs.writeFileSync(path.join(live, 'httproute.json'), JSON.stringify(route));
    const diff = (application: string) => execFileSync(bin!, ['--desired', manifests, '--live', live, '--application', application, '--untouched-as-desired'], { encoding: 'utf8' })
      .trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.status !== 'synced').map((r) => `${r.kind}/${r.name}`);
    expect(diff(appFile)).toEqual([]);
    const bare = YAML.parse(fs.readFileSync(appFile, 'utf8'));
    delete bare.spec.ignoreDifferences;
    const bareFile = path.join(tree, 'bare-application.yaml');
    fs.writeFileSync(bareFile, YAML.stringify(bare));
    expect(diff(bareFile)).toEqual([`HTTPRoute/${route.metadata.name}`]);
    route.spec.hostnames = ['attacker.example.com'];
    fs.writeFileSync(path.join(live, 'httproute.json'), JSON.stringify(route));
    expect(diff(appFile)).toEqual([`HTTPRoute/${route.metadata.name}`]);
  });
});
