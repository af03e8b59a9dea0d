import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp as seed000 } from '../examples/seed-000-aragora/main';
import { buildApp as seed002 } from '../examples/seed-002-x0tta6bl4/main';
import { main } from '../src/plan/cli';

/** Synthesises an example into a temporary directory and plans it with the command: JSON and SVG. */
function planOf(buildApp: (outdir?: string) => any): { plans: any[]; svg: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-example-'));
  try {
    buildApp(path.join(dir, 'dist')).synth();
    let out = '';
    const svg = path.join(dir, 'plan.svg');
    const code = main(['plan', path.join(dir, 'dist'), '--format', 'json', '--svg', svg], { out: (t) => { out += t; }, err: (t) => { throw new Error(t); } });
    expect(code).toBe(0);
    return { plans: JSON.parse(out), svg: fs.readFileSync(svg, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('seed 000 example: the README table (5/20/50/80, 2m/5m/5m/5m, analysis throughout) and ~17 minutes', () => {
  const { plans: [plan], svg } = planOf(seed000);
  expect(plan.name).toBe('aragora');
  expect(plan.steps.map((s: any) => [s.weight, s.pauseSeconds ?? null, s.backgroundAnalysis])).toEqual([
    [5, 120, true], [20, 300, true], [50, 300, true], [80, 300, true], [100, null, false],
  ]);
  expect(plan.minimumDurationSeconds).toBe(17 * 60);
  expect(plan.manualPromotions).toEqual([]);
  // The seed's four checks, each aborting after 3 failures (failureLimit 2).
  expect(plan.backgroundAnalysis.checks.map((c: any) => [c.metric, c.failureLimit])).toEqual([
    ['success-rate', 2], ['latency-p99', 2], ['error-rate', 2], ['pod-restarts', 2],
  ]);
  // The README's picture is this plan (regenerate: synth the example, then
  // `npx ts-node src/plan/cli.ts plan <outdir> --svg docs/plan-seed-000.svg`).
  expect(svg).toBe(fs.readFileSync(path.join(__dirname, '..', 'docs', 'plan-seed-000.svg'), 'utf8'));
});

test('seed 002 example: the eleven steps of the README table, inside its 45-60 minutes', () => {
  const { plans: [plan] } = planOf(seed002);
  expect(plan.steps).toHaveLength(11);
  expect(plan.steps.map((s: any) => s.weight)).toEqual([5, 5, 10, 10, 25, 25, 50, 50, 75, 75, 100]);
  expect(plan.steps.map((s: any) => (s.pauseSeconds ?? 0) / 60)).toEqual([2, 0, 5, 0, 10, 0, 15, 0, 10, 0, 0]);
  expect(plan.steps.map((s: any) => s.analysis?.templates.join(',') ?? '-')).toEqual([
    '-', 'smoke-test', '-', 'error-rate-analysis', '-', 'latency-analysis', '-', 'full-analysis', '-', 'pre-promotion-analysis', '-',
  ]);
  expect(plan.durationKnown).toBe(true);
  expect(plan.minimumDurationSeconds / 60).toBeGreaterThanOrEqual(45);
  expect(plan.minimumDurationSeconds / 60).toBeLessThanOrEqual(60);
  expect(plan.steps[0].headerRoutes).toEqual(['x-canary: x-canary exact "true"']);
});
