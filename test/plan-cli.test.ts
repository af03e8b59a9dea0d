import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// @xmldom/xmldom is installed (through cdk8s-cli) but not yet a direct devDependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import { DOMParser } from '@xmldom/xmldom';
import { App, Chart, Duration } from 'cdk8s';
import { AnalysisArgument, AnalysisTemplateRef, CanaryRollout, CanarySteps } from '../src';
import { main } from '../src/plan/cli';

const ROOT = path.join(__dirname, '..');

const HAND_WRITTEN = `# a hand-written rollout with an indefinite pause
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
  namespace: shop
spec:
  strategy:
    canary:
      steps:
      - setWeight: 10
      - pause: {}
      - setWeight: 60
      - pause: {duration: 90s}
---
apiVersion: v1
kind: Service
metadata: {name: checkout}
spec: {ports: [{port: 80}]}
`;

/** Runs the command in-process and captures what it prints. */
function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

let dir: string;
let dist: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cli-'));
  // A real `cdk8s synth` output: seed 001's portal plan.
  dist = path.join(dir, 'dist');
  const app = new App({ outdir: dist });
  const chart = new Chart(app, 'portal', { namespace: 'data-platform' });
  new CanaryRollout(chart, 'portal-services', {
    metadata: { name: 'portal-services' },
    containers: [{ image: 'hmco/portal-services:1.0.1', portNumber: 8080 }],
    replicas: 3,
    steps: CanarySteps.progressive({ weights: [20, 40, 60, 80], pause: Duration.minutes(2) }),
    backgroundAnalysis: {
      templates: [AnalysisTemplateRef.fromName('success-rate', { requiredArgs: ['service-name'] })],
      args: [AnalysisArgument.value('service-name', 'portal-services')],
    },
  });
  app.synth();
  fs.mkdirSync(path.join(dist, 'hand'));
  fs.writeFileSync(path.join(dist, 'hand', 'checkout.yml'), HAND_WRITTEN);
  fs.writeFileSync(path.join(dist, 'README.txt'), 'not a manifest: ignored');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('plan', () => {
  test('a synthesised directory: every Rollout, in file order, as text', () => {
    const { code, out, err } = run('plan', dist);
    expect(err).toBe('');
    expect(code).toBe(0);
    const titles = out.split('\n').filter((l) => l.startsWith('Rollout '));
    expect(titles).toEqual(['Rollout shop/checkout: canary without traffic routing', 'Rollout data-platform/portal-services: canary without traffic routing']);
    expect(out).toContain('Fastest full promotion: 8m, no manual promotion.');
    expect(out).toContain('Fastest full promotion: 1m 30s, 1 manual promotion (step 1).');
  });

  test('--format json and --format=markdown', () => {
    const json = run('plan', dist, '--format', 'json');
    expect(json.code).toBe(0);
    const plans = JSON.parse(json.out);
    expect(plans.map((p: any) => [p.name, p.minimumDurationSeconds, p.manualPromotions])).toEqual([['checkout', 90, [1]], ['portal-services', 480, []]]);
    expect(plans[1].steps.map((s: any) => s.weight)).toEqual([20, 40, 60, 80, 100]);

    const markdown = run('plan', path.join(dist, 'hand', 'checkout.yml'), '--format=markdown');
    expect(markdown.code).toBe(0);
    expect(markdown.out).toContain('| 1 | 10% | until promoted | - | - | 0s | 0-1 | set weight 10%, pause until promoted |');
  });

  test('--svg writes a well-formed SVG after everything succeeded', () => {
    const svg = path.join(dir, 'plan.svg');
    const { code } = run('plan', dist, '--svg', svg);
    expect(code).toBe(0);
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(fs.readFileSync(svg, 'utf8'), 'image/svg+xml');
    expect(errors).toEqual([]);
    expect(doc.getElementsByTagName('polyline').length).toBe(2);
  });
});

describe('errors: exit code 1, a message with file and line, nothing written', () => {
  const svg = () => path.join(dir, 'never.svg');

  test('YAML that does not parse', () => {
    const file = write('broken.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  steps: [1,\n  x: 2\n');
    const { code, out, err } = run('plan', file, '--svg', svg());
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^cdk8s-argo-rollouts: error: ${file}:5:3: YAML does not parse: `));
    expect(fs.existsSync(svg())).toBe(false);
  });

  test('a file that holds no Rollout', () => {
    const file = write('deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    const { code, err } = run('plan', file);
    expect(code).toBe(1);
    expect(err).toBe(`cdk8s-argo-rollouts: error: ${file}:1: not a Rollout: no object with kind Rollout in this file (found Deployment/web)\n`);
    expect(run('plan', write('empty.yaml', '')).err).toContain('empty.yaml:1: not a Rollout: no object with kind Rollout in this file (it is empty)');
  });

  test('a Rollout of another API group', () => {
    const file = write('other.yaml', '---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: x}\n');
    expect(run('plan', file).err).toBe(`cdk8s-argo-rollouts: error: ${file}:6: not a Rollout: expected apiVersion argoproj.io/v1alpha1, kind Rollout; got example.com/v1 Rollout\n`);
  });

  test('a bad pause duration is located on its line, and no SVG is written', () => {
    const file = write('bad-pause.yaml', HAND_WRITTEN.replace('{duration: 90s}', '\n          duration: 5 minutes'));
    const { code, out, err } = run('plan', dist, file, '--svg', svg());
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`cdk8s-argo-rollouts: error: ${file}:15: Rollout "checkout": spec.strategy.canary.steps[3].pause.duration: Invalid value: "5 minutes": Duration needs to be greater than 0 (allowed: seconds, or a Go duration like "30s", "5m", "1h30m")\n`);
    expect(fs.readFileSync(file, 'utf8').split('\n')[14]).toBe('          duration: 5 minutes');
    expect(fs.existsSync(svg())).toBe(false);
  });

  test('a directory without Rollouts, a path that does not exist, an SVG that cannot be written', () => {
    const empty = path.join(dir, 'no-rollouts');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n');
    expect(run('plan', empty).err).toBe(`cdk8s-argo-rollouts: error: ${empty}: no Rollout in 1 file\n`);
    expect(run('plan', path.join(dir, 'missing')).err).toBe(`cdk8s-argo-rollouts: error: ${path.join(dir, 'missing')}: no such file or directory\n`);
    const unwritable = run('plan', dist, '--svg', path.join(dir, 'no', 'such', 'dir.svg'));
    expect(unwritable.code).toBe(1);
    expect(unwritable.out).toBe('');
    expect(unwritable.err).toContain('dir.svg: cannot write the SVG: ENOENT');
  });
});

describe('usage: exit code 2', () => {
  test.each([
    [['plan'], 'no input: give one or more files or directories'],
    [['plan', 'x', '--format', 'html'], '--format html: unknown format (allowed: text, markdown, json)'],
    [['plan', 'x', '--svg'], '--svg needs a value'],
    [['plan', 'x', '--colour'], 'unknown option --colour'],
    [['draw', 'x'], 'unknown command "draw" (allowed: plan, preflight)'],
  ])('%j', (argv, message) => {
    const { code, out, err } = run(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.startsWith(`cdk8s-argo-rollouts: ${message}\n\nusage: cdk8s-argo-rollouts plan`)).toBe(true);
  });

  test('no arguments prints the usage; --help prints it to stdout and succeeds', () => {
    expect(run().code).toBe(2);
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: cdk8s-argo-rollouts plan <dir-or-file...> [--format text|markdown|json] [--svg FILE]');
  });
});

test('the script runs as a command and sets its exit code', () => {
  const ok = spawnSync('npx', ['ts-node', '--transpile-only', 'src/plan/cli.ts', 'plan', path.join(dist, 'hand'), '--format', 'markdown'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('### Rollout shop/checkout: canary without traffic routing');
  const bad = spawnSync('npx', ['ts-node', '--transpile-only', 'src/plan/cli.ts', 'plan', path.join(dir, 'missing')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(bad.status).toBe(1);
  expect(bad.stdout).toBe('');
  expect(fs.readFileSync(path.join(ROOT, 'src/plan/cli.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
}, 240_000);
