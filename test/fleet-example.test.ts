import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { buildApp } from '../examples/seed-004-fleet/main';

/** Seed 004 at scale, with a small N (SEED_004_SERVICES); examples.test.ts and synth:examples run 100 (plain App.synth in synth-progressive-app.test.ts is slow at 3000 charts), `npx projen bench:fleet` times 1000. */
const N = Number(process.env.SEED_004_SERVICES ?? 30);

function synth(services: number): { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
  buildApp(dir, services).synth();
  return { dir };
}

describe('seed 004 fleet', () => {
  let dir: string;
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test(`${N} services × 3 environments: one file each, one ApplicationSet with one element per file`, () => {
    dir = synth(N).dir;
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(3 * N + 1);
    const set = YAML.parse(fs.readFileSync(path.join(dir, 'argocd.k8s.yaml'), 'utf8'));
    const elements = set.spec.generators[0].list.elements;
    expect(elements).toHaveLength(3 * N);
    for (const e of elements) expect(files).toContain(e.include);
    const first = elements.find((e: any) => e.service === 'svc-0000' && e.environment === 'prod');
    // Its ignoreDifferences: the fleet's one shape with its names (argocd-application-set-controller.test.ts renders them with Argo CD).
    expect(new Set(elements.map((e: any) => e.ignoreShape))).toEqual(new Set(['0']));
    expect(first.ignoreValues).toEqual(['svc-0000', 'prod', 'svc-0000-canary']);
    expect(set.spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0].values[0])).toEqual(['dev', 'staging', 'prod']);
  }, 300_000);

  test('stable paths: a second synth writes the same files, byte for byte', () => {
    const again = synth(N).dir;
    for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(again, f), 'utf8')).toBe(fs.readFileSync(path.join(dir, f), 'utf8'));
    fs.rmSync(again, { recursive: true, force: true });
  }, 300_000);
});
