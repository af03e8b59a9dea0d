import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

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
