import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as YAML from 'yaml';
import { buildApp } from '../examples/seed-004-fleet/main';

/** Seed 004 at scale, with a CI-sized N (SEED_004_SERVICES; the benchmark runs 1000). */
const N = Number(process.env.SEED_004_SERVICES ?? 30);

function synth(services: number): { ms: number; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
  const start = performance.now();
  buildApp(dir, services).synth();
  return { ms: performance.now() - start, dir };
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
    expect(first.ignoreDifferences.map((d: any) => `${d.kind}/${d.name}`)).toEqual(['Service/svc-0000', 'Service/svc-0000-canary', 'HTTPRoute/svc-0000']);
    expect(set.spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0].values[0])).toEqual(['dev', 'staging', 'prod']);
  }, 300_000);

  test('stable paths: a second synth writes the same files, byte for byte', () => {
    const again = synth(N).dir;
    for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(again, f), 'utf8')).toBe(fs.readFileSync(path.join(dir, f), 'utf8'));
    fs.rmSync(again, { recursive: true, force: true });
  }, 300_000);

  test('time grows linearly: 2N services take well under 4× the time of N', () => {
    synth(5); // warm-up
    const small = synth(N);
    const large = synth(2 * N);
    for (const d of [small.dir, large.dir]) fs.rmSync(d, { recursive: true, force: true });
    expect(large.ms / small.ms).toBeLessThan(3.5);
  }, 600_000);
});
